/// The console's swift-mustache templates. `{{x}}` is HTML-escaped; the only values written
/// raw (`{{{…}}}`) are table rows made by ``HTMLRows``, which escapes every text itself. No
/// template holds inline script or style (the Content-Security-Policy forbids both).
enum ConsoleTemplates {
    static let all: [String: String] = [
        "top": top, "bottom": bottom, "login": login, "message": message, "home": home, "coupons": coupons,
        "coupon": coupon, "settlement": settlement, "issue": issue, "issued": issued, "products": products,
        "stations": stations, "station-key": stationKey, "reports": reports, "audit": audit, "log": log,
    ]

    static let top = """
        <!doctype html><html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Coupon console</title><link rel="stylesheet" href="/console/assets/console.css">
        <script src="/console/assets/console.js" defer></script></head><body>
        <header><a class="brand" href="/console">Coupon console</a>
        {{#signedIn}}<nav><a href="/console/coupons">Coupons</a>{{#admin}}<a href="/console/issue">Issue</a>{{/admin}}
        <a href="/console/products">Catalogue</a>{{#admin}}<a href="/console/stations">Stations</a>{{/admin}}
        <a href="/console/reports">Reports</a>{{#admin}}<a href="/console/log">Log</a>{{/admin}}</nav>
        <form method="post" action="/console/logout" class="logout"><input type="hidden" name="csrf" value="{{csrf}}">
        <span class="who">{{actor}}</span> <button id="sign-out">Sign out</button></form>{{/signedIn}}</header>
        <main><h1>{{title}}</h1>
        """

    static let bottom = "</main></body></html>"

    static let login = """
        {{> top}}
        {{#error}}<p class="error" id="error">{{error}}</p>{{/error}}
        <form method="post" action="/console/login" class="card" id="login">
        <label>Name <input name="name" autocomplete="username" autofocus></label>
        <label>Password <input name="password" type="password" autocomplete="current-password"></label>
        <button>Sign in</button></form>
        <details class="card"><summary>Sign in with an admin key (set-up)</summary>
        <form method="post" action="/console/login" id="key-login">
        <label>Admin key <input name="key" type="password" autocomplete="off"></label><button>Sign in</button></form></details>
        {{> bottom}}
        """

    static let message = """
        {{> top}}<p class="notice" id="message">{{text}}</p><p><a href="{{back}}">Back</a></p>{{> bottom}}
        """

    static let home = """
        {{> top}}
        <form method="get" action="/console/coupons" class="card search">
        <label>Find a coupon <input name="q" placeholder="last four, id, campaign or phone"></label>
        <select name="by"><option value="last4">last four</option><option value="id">id</option>
        <option value="campaign">campaign</option><option value="phone">phone</option></select><button>Find</button></form>
        <p>Open holds: {{holds}}. Outstanding balances are in <a href="/console/reports">Reports</a>.</p>
        {{> bottom}}
        """

    static let coupons = """
        {{> top}}
        <form method="get" action="/console/coupons" class="card search">
        <input name="q" value="{{q}}" placeholder="last four, id, campaign or phone" aria-label="search">
        <select name="by"><option value="last4" {{#by_last4}}selected{{/by_last4}}>last four</option>
        <option value="id" {{#by_id}}selected{{/by_id}}>id</option>
        <option value="campaign" {{#by_campaign}}selected{{/by_campaign}}>campaign</option>
        <option value="phone" {{#by_phone}}selected{{/by_phone}}>phone</option></select><button>Find</button></form>
        {{#none}}<p id="none">No coupon matches.</p>{{/none}}
        <table id="coupons"><thead><tr><th>Id</th><th>Code ends</th><th>Balance</th><th>Held</th><th>State</th><th>Campaign</th><th>Expires</th></tr></thead><tbody>
        {{{rows}}}
        </tbody></table>{{#next}}<p><a href="{{next}}" id="next">Next page</a></p>{{/next}}
        {{> bottom}}
        """

    static let coupon = """
        {{> top}}
        {{#coupon}}<dl class="card facts"><dt>Balance</dt><dd id="balance">{{balance}}</dd><dt>Held</dt><dd id="held">{{held}}</dd>
        <dt>Available</dt><dd>{{available}}</dd><dt>State</dt><dd id="state">{{state}}</dd><dt>Expires</dt><dd>{{expires}}</dd>
        <dt>Code ends</dt><dd>…{{lastFour}}</dd><dt>Campaign</dt><dd>{{campaign}}</dd></dl>{{/coupon}}
        {{#onPhone}}<p>The balance travels on the customer's phone (signed states).</p>{{/onPhone}}
        {{#admin}}<section class="actions">
        {{#blocked}}<form method="post" action="/console/coupons/{{coupon.id}}/unblock" data-confirm="Unblock this coupon?">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="idem" value="{{idem}}"><button id="unblock">Unblock</button></form>{{/blocked}}
        {{^blocked}}<form method="post" action="/console/coupons/{{coupon.id}}/block" data-confirm="Block this coupon? Nothing can be settled with it until it is unblocked.">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="idem" value="{{idem}}"><button id="block">Block</button></form>{{/blocked}}
        <form method="post" action="/console/coupons/{{coupon.id}}/load" data-confirm="Load this amount onto the coupon?">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="idem" value="{{idem}}">
        <input name="amount" placeholder="amount ({{currency}})" required><input name="note" placeholder="reference" required><button>Load</button></form>
        <form method="post" action="/console/coupons/{{coupon.id}}/adjust" data-confirm="Adjust the balance by this amount?">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="idem" value="{{idem}}">
        <input name="amount" placeholder="+/- amount ({{currency}})" required><input name="note" placeholder="reason" required><button>Adjust</button></form>
        <form method="post" action="/console/coupons/{{coupon.id}}/reissue" data-confirm="Give this coupon a new code? The old code stops working at once.">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="idem" value="{{idem}}"><button id="reissue">Reissue</button></form>
        </section>{{/admin}}
        <h2>Settlements</h2><table id="settlements"><thead><tr><th>Id</th><th>Station</th><th>Status</th><th>Total</th><th>Charged</th><th>Refunded</th><th>At</th></tr></thead><tbody>
        {{{settlementRows}}}
        </tbody></table>
        <h2>Ledger</h2><table id="ledger"><thead><tr><th>At</th><th>Kind</th><th>Amount</th><th>Before</th><th>After</th><th>By</th><th>Settlement</th></tr></thead><tbody>
        {{{ledgerRows}}}
        </tbody></table>
        <p>{{#newestLedger}}<a href="{{newestLedger}}">Newest</a> {{/newestLedger}}{{#olderLedger}}<a href="{{olderLedger}}" id="older">Older lines</a>{{/olderLedger}}</p>
        {{> bottom}}
        """

    static let settlement = """
        {{> top}}
        {{#settlement}}<dl class="card facts"><dt>Coupon</dt><dd><a href="/console/coupons/{{couponID}}">{{couponID}}</a></dd>
        <dt>Station</dt><dd>{{station}}</dd><dt>Status</dt><dd id="status">{{status}}</dd><dt>Total</dt><dd>{{total}}</dd>
        <dt>Charged</dt><dd>{{charged}}</dd><dt>Refunded</dt><dd id="refunded">{{refunded}}</dd><dt>At</dt><dd>{{at}}</dd></dl>{{/settlement}}
        <table id="lines"><thead><tr><th>Product</th><th>Name</th><th>Quantity</th><th>Price</th><th>Total</th><th></th></tr></thead><tbody>
        {{#lines}}<tr><td>{{code}}</td><td>{{name}}</td><td>{{quantity}}</td><td>{{price}}</td><td>{{total}}</td><td>
        {{#admin}}{{#refundable}}<form method="post" action="/console/settlements/{{settlementID}}/refund" data-confirm="Refund this line to the coupon?">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="idem" value="{{idem}}"><input type="hidden" name="code" value="{{code}}">
        <input name="quantity" value="1" size="3" aria-label="quantity"><button class="refund">Refund</button></form>{{/refundable}}{{/admin}}</td></tr>{{/lines}}
        </tbody></table>
        {{> bottom}}
        """

    static let issue = """
        {{> top}}
        <form method="post" action="/console/issue" class="card" id="issue-one">
        <h2>One coupon</h2><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="idem" value="{{idem}}">
        <label>Amount <input name="amount" required placeholder="300.00"></label><label>Currency <input name="currency" value="CNY" size="4" required></label>
        <label>Valid for days <input name="days" size="6" placeholder="365"></label><label>Campaign <input name="campaign"></label>
        <label>Phone <input name="phone" placeholder="+8613800000000"></label>
        <label><input type="checkbox" name="on_phone" value="1"> Balance on the phone (signed)</label>
        <button id="issue">Issue</button></form>
        <form method="post" action="/console/issue" class="card" id="issue-batch" enctype="multipart/form-data">
        <h2>A batch from a CSV of recipients</h2><p>One line per coupon: <code>phone</code> or <code>phone,amount</code> (at most {{max}} lines).</p>
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="idem" value="{{batchIdem}}">
        <label>Amount <input name="amount" required placeholder="50.00"></label><label>Currency <input name="currency" value="CNY" size="4" required></label>
        <label>Valid for days <input name="days" size="6"></label><label>Campaign <input name="campaign"></label>
        <label>Recipients <input type="file" name="recipients" accept=".csv,text/csv" required></label>
        <button>Issue the batch</button></form>
        {{> bottom}}
        """

    static let issued = """
        {{> top}}
        <p class="warning" id="warning">Each code below is shown this once. Save the files or send them now: the server keeps no code and cannot show it again.</p>
        {{#coupons}}<section class="card issued"><img src="{{png}}" alt="QR code of coupon {{id}}" width="200" height="200">
        <div><p>Coupon <a href="/console/coupons/{{id}}">{{id}}</a>, {{balance}}</p><p>Code: <code class="code">{{code}}</code></p>
        <p><a href="{{png}}" download="{{id}}.png">PNG</a> · <a href="{{svg}}" download="{{id}}.svg">SVG</a> · <a href="{{mms}}" download="{{id}}.eml">MMS</a></p>
        <p class="sms">{{sms}}</p></div></section>{{/coupons}}
        {{> bottom}}
        """

    static let products = """
        {{> top}}
        {{#notice}}<p class="notice" id="notice">{{notice}}</p>{{/notice}}
        <form method="get" action="/console/products" class="card search"><label>From code <input name="from" value="{{from}}"></label><button>Go</button></form>
        <table id="products"><thead><tr><th>Code</th><th>Name</th><th>Price</th><th></th></tr></thead><tbody>
        {{#products}}<tr><td>{{code}}</td><td>{{name}}</td><td>{{price}} {{currency}}</td><td>{{#admin}}
        <form method="post" action="/console/products/{{code}}" data-confirm="Change this price?"><input type="hidden" name="csrf" value="{{csrf}}">
        <input name="price" value="{{price}}" size="10" aria-label="price"><button>Set price</button></form>{{/admin}}</td></tr>{{/products}}
        </tbody></table>{{#next}}<p><a href="{{next}}" id="next">Next page</a></p>{{/next}}
        {{#admin}}<form method="post" action="/console/products/import" enctype="multipart/form-data" class="card" id="import">
        <h2>Import a CSV</h2><p><code>code,name,price,currency</code>; all lines or none.</p>
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="file" name="file" accept=".csv,text/csv" required><button>Import</button></form>{{/admin}}
        {{> bottom}}
        """

    static let stations = """
        {{> top}}
        <form method="post" action="/console/stations" class="card" id="add-station"><input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="idem" value="{{idem}}"><label>New station <input name="name" required placeholder="till-2"></label><button>Add station</button></form>
        <table id="keys"><thead><tr><th>Key id</th><th>Role</th><th>Holder</th><th>Created</th><th>Revoked</th><th></th></tr></thead><tbody>
        {{#keys}}<tr><td>{{id}}</td><td>{{role}}</td><td>{{holder}}</td><td>{{created}}</td><td>{{revoked}}</td><td>{{#active}}
        <form method="post" action="/console/keys/{{id}}/revoke" data-confirm="Revoke this key? Whoever holds it can no longer use it.">
        <input type="hidden" name="csrf" value="{{csrf}}"><button class="revoke">Revoke</button></form>{{/active}}</td></tr>{{/keys}}
        </tbody></table>
        <h2>Console users</h2><p>Added with <code>couponctl users add NAME --role admin|viewer</code>.</p>
        <ul>{{#users}}<li>{{name}} ({{role}})</li>{{/users}}</ul>
        {{> bottom}}
        """

    static let stationKey = """
        {{> top}}
        <p class="warning">This key is shown this once. Give it to the station now (coupon-station reads it from COUPON_API_KEY).</p>
        <dl class="card facts"><dt>Station</dt><dd>{{station}}</dd><dt>Key id</dt><dd id="key-id">{{keyID}}</dd><dt>Key</dt><dd><code id="station-key">{{key}}</code></dd></dl>
        <p><a href="/console/stations">Stations and keys</a></p>
        {{> bottom}}
        """

    static let reports = """
        {{> top}}
        <h2>Liability, last 14 days</h2><img src="/console/reports/liability.svg" alt="outstanding balances per day" width="720" height="280">
        <h2>Campaign</h2><form method="get" action="/console/reports" class="search"><input name="campaign" value="{{campaign}}" aria-label="campaign">
        <input type="hidden" name="date" value="{{date}}"><button>Show</button></form>
        {{#campaign}}<table id="campaign"><thead><tr><th>Currency</th><th>Coupons</th><th>Issued</th><th>Loaded</th><th>Adjusted</th><th>Redeemed</th><th>Expired</th><th>Outstanding</th></tr></thead><tbody>
        {{#campaignRows}}<tr><td>{{currency}}</td><td>{{coupons}}</td><td>{{issued}}</td><td>{{loaded}}</td><td>{{adjusted}}</td><td>{{redeemed}}</td><td>{{expired}}</td><td>{{outstanding}}</td></tr>{{/campaignRows}}
        </tbody></table><p class="note">Summed at {{campaignAt}} (kept for a minute).</p>{{/campaign}}
        <h2>Day per station</h2><form method="get" action="/console/reports" class="search"><input name="date" value="{{date}}" aria-label="date"><button>Show</button></form>
        <table id="daily"><thead><tr><th>Station</th><th>Currency</th><th>Settlements</th><th>Captured</th><th>Refunded</th><th>Voided</th><th>Expired holds</th><th>Offline</th><th>Shortfall</th></tr></thead><tbody>
        {{#dailyRows}}<tr><td>{{station}}</td><td>{{currency}}</td><td>{{settlements}}</td><td>{{captured}}</td><td>{{refunded}}</td><td>{{voided}}</td><td>{{expiredHolds}}</td><td>{{offline}}</td><td>{{shortfall}}</td></tr>{{/dailyRows}}
        </tbody></table>
        {{#admin}}<h2>More</h2><p><a href="/console/reports/audit">Run the audit</a> · <a href="/console/reports/export.csv?since={{since}}">Ledger since {{since}} as CSV</a> · <a href="/console/log">Console log</a></p>{{/admin}}
        {{> bottom}}
        """

    static let audit = """
        {{> top}}
        {{#failure}}<p class="error">The last run failed: {{failure}}</p>{{/failure}}
        {{#running}}<p class="notice" id="running">An audit is running over every coupon and its ledger; reload this page to see it when it is done.</p>{{/running}}
        {{#done}}<p>Audit of {{ranAt}}, which took {{seconds}} s.</p>
        {{#clean}}<p class="notice" id="clean">Every balance follows from its ledger and every held amount from its open holds.</p>{{/clean}}
        {{^clean}}<table id="findings"><thead><tr><th>Coupon</th><th>Stored</th><th>From ledger</th><th>Held</th><th>Open holds</th></tr></thead><tbody>
        {{#findings}}<tr><td><a href="/console/coupons/{{coupon}}">{{coupon}}</a></td><td>{{stored}}</td><td>{{fromLedger}}</td><td>{{held}}</td><td>{{openHolds}}</td></tr>{{/findings}}</tbody></table>{{/clean}}
        <h2>Offline shortfalls</h2><p>Two tills spent one signed state offline: the sale stands, the coupon is blocked for review.</p>
        <table id="shortfalls"><thead><tr><th>Coupon</th><th>Settlement</th><th>Station</th><th>Amount</th><th>Coupon state</th><th>At</th></tr></thead><tbody>
        {{#shortfalls}}<tr><td><a href="/console/coupons/{{coupon}}">{{coupon}}</a></td><td><a href="/console/settlements/{{settlement}}">{{settlement}}</a></td><td>{{station}}</td><td>{{amount}}</td><td>{{state}}</td><td>{{at}}</td></tr>{{/shortfalls}}
        </tbody></table>{{/done}}
        {{^running}}<form method="post" action="/console/reports/audit" class="card" id="run-audit"><input type="hidden" name="csrf" value="{{csrf}}">
        <button>Run the audit now</button></form>{{/running}}
        {{> bottom}}
        """

    static let log = """
        {{> top}}
        <table id="log"><thead><tr><th>At</th><th>Who</th><th>Did</th><th>To</th><th>Detail</th></tr></thead><tbody>
        {{#events}}<tr><td>{{at}}</td><td>{{actor}}</td><td>{{action}}</td><td>{{target}}</td><td>{{detail}}</td></tr>{{/events}}
        </tbody></table>{{#older}}<p><a href="{{older}}">Older</a></p>{{/older}}
        {{> bottom}}
        """
}
