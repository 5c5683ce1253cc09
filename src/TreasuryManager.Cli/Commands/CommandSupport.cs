using System.Net.Http;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Ethereum.Wallets;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Keys;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Cli.Commands;

/// <summary>Shared pieces of the commands: error mapping to one stderr line and an exit code, and passwords.</summary>
internal static class CommandSupport
{
    public const string PasswordVariable = "TREASURY_KEYSTORE_PASSWORD";

    /// <summary>Runs a command body; known failures become "error: …" on stderr with exit 2 (bad input) or 1 (runtime).</summary>
    public static async Task<int> GuardAsync(CliConsole io, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (ExitCodeOf(e) is { } code)
        {
            io.Error.WriteLine($"error: {OneLine(e.Message)}");
            return code;
        }
    }

    public static int Guard(CliConsole io, Func<int> body) => GuardAsync(io, () => Task.FromResult(body())).GetAwaiter().GetResult();

    private static int? ExitCodeOf(Exception e) => e switch
    {
        CliException c => c.ExitCode,
        SettingsException or KeySourceException or KeystoreException or KeeperSetupException or WrongChainIdException => TreasuryCli.BadInput,
        RpcException or ContractRevertException or HttpRequestException or TimeoutException or IOException or UnauthorizedAccessException
            or Microsoft.Data.Sqlite.SqliteException => TreasuryCli.Failure,
        _ => null,
    };

    /// <summary>A message on one line: its lines (several problems, one a line) joined by "; ".</summary>
    public static string OneLine(string text) =>
        string.Join("; ", text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>
    /// Appends an unexpected exception in full (type, message, stack, inner exceptions) to <see cref="CliConsole.ErrorLogPath"/>
    /// and returns "details: PATH" for the one stderr line; "details: not logged (…)" when even that file cannot be written.
    /// The command's arguments are logged with anything that looks like a private key redacted.
    /// </summary>
    public static string LogUnexpected(CliConsole io, IReadOnlyList<string> args, Exception e)
    {
        var path = Path.GetFullPath(io.ErrorLogPath);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.AppendAllText(path,
                $"{DateTimeOffset.UtcNow:O} treasury {TreasuryCli.RedactSecrets(string.Join(' ', args))}{Environment.NewLine}{e}{Environment.NewLine}{Environment.NewLine}");
            return $"details: {path}";
        }
        catch (Exception logFailure) when (logFailure is IOException or UnauthorizedAccessException)
        {
            return $"details: not logged, {path} could not be written: {OneLine(logFailure.Message)}";
        }
    }

    /// <summary>
    /// A password for a new keystore: TREASURY_KEYSTORE_PASSWORD if set, else typed twice at a hidden prompt;
    /// with neither, a bad-input error naming both ways.
    /// </summary>
    public static string NewPassword(CliConsole io)
    {
        var fromEnvironment = io.GetEnvironmentVariable(PasswordVariable);
        if (!string.IsNullOrEmpty(fromEnvironment)) return fromEnvironment;
        if (io.ReadSecret is not { } ask)
            throw CliException.BadInput($"no keystore password: set {PasswordVariable} or run interactively");
        var first = ask("Keystore password:");
        if (string.IsNullOrEmpty(first)) throw CliException.BadInput("the keystore password is empty; type a password (or set " + PasswordVariable + ")");
        var second = ask("Repeat the password:");
        if (first != second) throw CliException.BadInput("the two passwords differ; run the command again and type the same password twice");
        return first;
    }

    /// <summary>Resolves a path against the current directory, creating nothing.</summary>
    public static string Full(string path) => Path.GetFullPath(path);
}
