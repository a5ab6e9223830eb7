/// What `--version` prints for each of the programs: one number for the package, and the git
/// revision it was built from (recorded at build time by the RevisionPlugin).
public enum ProgramVersion {
    public static let number = "0.16.0"
    public static var text: String { "\(number) (\(gitRevision))" }
}
