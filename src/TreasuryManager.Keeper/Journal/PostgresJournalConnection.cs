using System.Globalization;
using Npgsql;

namespace TreasuryManager.Keeper.Journal;

/// <summary>
/// Where a PostgreSQL journal is, as configured — never with its password: the password is read from the environment
/// variable <see cref="PasswordVariable"/> when connecting, so it stays out of every file.
/// </summary>
public sealed record PostgresJournalConnection(string Host, int Port, string Database, string Username, string PasswordVariable)
{
    /// <summary>The environment variable that holds the journal's password unless the configuration names another.</summary>
    public const string DefaultPasswordVariable = "TREASURY_JOURNAL_PASSWORD";

    /// <summary>Whether <paramref name="journal"/> (the Journal setting) names a PostgreSQL journal rather than a SQLite file.</summary>
    public static bool IsPostgres(string journal) =>
        journal.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || journal.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || journal.TrimStart().StartsWith("Host=", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads the Journal setting: a URL <c>postgres://user@host:port/database</c> or an Npgsql connection string
    /// (<c>Host=…;Database=…;Username=…</c>). A password in it is refused with where to put it instead;
    /// <paramref name="setting"/> names the setting in the messages.
    /// </summary>
    public static PostgresJournalConnection Parse(string journal, string? passwordVariable = null, string setting = "Journal")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(journal);
        var variable = string.IsNullOrWhiteSpace(passwordVariable) ? DefaultPasswordVariable : passwordVariable;
        string PasswordRefused() =>
            $"setting {setting} holds the journal's password; remove it from the file and put the password in the environment variable {variable} " +
            "(JournalPasswordVariable names another variable)";
        if (journal.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || journal.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(journal, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
                throw new FormatException($"setting {setting} '{Redacted(journal)}' is not a PostgreSQL URL; write postgres://USER@HOST:PORT/DATABASE");
            var userInfo = Uri.UnescapeDataString(uri.UserInfo);
            if (userInfo.Contains(':', StringComparison.Ordinal)) throw new FormatException(PasswordRefused());
            var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
            if (string.IsNullOrEmpty(userInfo) || string.IsNullOrEmpty(database))
                throw new FormatException($"setting {setting} '{journal}' names no {(string.IsNullOrEmpty(userInfo) ? "user" : "database")}; write postgres://USER@HOST:PORT/DATABASE");
            if (!string.IsNullOrEmpty(uri.Query))
                throw new FormatException($"setting {setting} '{journal}' has a query string; the journal takes only postgres://USER@HOST:PORT/DATABASE");
            return new PostgresJournalConnection(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port, database, userInfo, variable);
        }
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(journal);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"setting {setting} is not a valid PostgreSQL connection string ({e.Message}); write postgres://USER@HOST:PORT/DATABASE");
        }
        if (!string.IsNullOrEmpty(builder.Password) || !string.IsNullOrEmpty(builder.Passfile)) throw new FormatException(PasswordRefused());
        if (string.IsNullOrEmpty(builder.Host) || string.IsNullOrEmpty(builder.Database) || string.IsNullOrEmpty(builder.Username))
            throw new FormatException($"setting {setting} must name Host, Database and Username; write postgres://USER@HOST:PORT/DATABASE");
        return new PostgresJournalConnection(builder.Host, builder.Port, builder.Database, builder.Username, variable);
    }

    /// <summary>The Npgsql connection string, with the password read from <see cref="PasswordVariable"/> (missing: an error naming it).</summary>
    public string ConnectionString(Func<string, string?>? environment = null)
    {
        var password = (environment ?? Environment.GetEnvironmentVariable)(PasswordVariable);
        if (string.IsNullOrEmpty(password))
            throw new InvalidOperationException(
                $"the environment variable {PasswordVariable} is not set; export the password of PostgreSQL user '{Username}' there (the journal's password is never read from a file)");
        return new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Database = Database,
            Username = Username,
            Password = password,
            ApplicationName = "treasury-keeper",
        }.ConnectionString;
    }

    /// <summary>For messages: user@host:port/database, never the password.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"postgres://{Username}@{Host}:{Port}/{Database}");

    private static string Redacted(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        return at > 0 && scheme > 0 ? text[..(scheme + 3)] + "…" + text[at..] : text;
    }
}
