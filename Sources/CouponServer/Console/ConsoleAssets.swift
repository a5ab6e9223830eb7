/// The console's one script and one style sheet, served as files (no inline code under the CSP).
enum ConsoleAssets {
    /// Asks before a form that changes something is sent (`data-confirm`), and sends it once.
    static let script = """
        'use strict';
        document.addEventListener('submit', (event) => {
          const form = event.target;
          const question = form.dataset.confirm;
          if (question && !window.confirm(question)) { event.preventDefault(); return; }
          if (form.dataset.sent) { event.preventDefault(); return; }
          form.dataset.sent = 'yes';
        });
        """

    static let style = """
        body { font-family: system-ui, sans-serif; margin: 0; background: #f4f4f6; color: #1b1b1f; }
        header { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; padding: .6rem 1rem; background: #1b1b1f; color: #fff; }
        header a { color: #fff; text-decoration: none; margin-right: .8rem; }
        .brand { font-weight: 700; }
        .logout { margin-left: auto; }
        main { max-width: 72rem; margin: 1rem auto; padding: 0 1rem; }
        .card { background: #fff; border-radius: .5rem; padding: 1rem; margin: 1rem 0; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
        label { display: inline-block; margin: .3rem .8rem .3rem 0; }
        table { border-collapse: collapse; width: 100%; background: #fff; margin: .5rem 0 1rem; }
        th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #e3e3e8; font-size: .92rem; overflow-wrap: anywhere; }
        #log td:first-child, #ledger td:first-child, #settlements td:last-child { white-space: nowrap; }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
        .facts dt { font-weight: 600; }
        .facts dd { margin: 0; }
        .actions form { display: inline-block; margin: .3rem .6rem .3rem 0; }
        .error { color: #a11; font-weight: 600; }
        .warning { background: #fff4ce; border: 1px solid #d4a72c; padding: .8rem; border-radius: .4rem; font-weight: 600; }
        .notice { background: #ddf4ff; padding: .8rem; border-radius: .4rem; }
        .issued { display: flex; gap: 1rem; align-items: flex-start; }
        .code { font-size: 1.2rem; }
        .sms { color: #555; font-size: .85rem; }
        """
}
