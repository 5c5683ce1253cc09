using System.CommandLine;
using System.Text.Json;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Wallets;
using static TreasuryManager.Cli.Commands.CommandSupport;

namespace TreasuryManager.Cli.Commands;

/// <summary>
/// `treasury wallet new|import|address|check`: keystore v3 files (scrypt) for the keeper's key. Passwords come from
/// TREASURY_KEYSTORE_PASSWORD or a hidden prompt; a private key to import from standard input or a hidden
/// prompt, never from the command line (it would land in the shell history and the process list).
/// </summary>
public static class WalletCommand
{
    public const string DefaultKeystorePath = "keys/keeper.json";

    public static Command Create(CliConsole io)
    {
        var wallet = new Command("wallet", "Create, import and inspect keystore v3 files for the keeper's key.");
        wallet.Subcommands.Add(New(io));
        wallet.Subcommands.Add(Import(io));
        wallet.Subcommands.Add(AddressOf(io));
        wallet.Subcommands.Add(Check(io));
        return wallet;
    }

    private static Option<string> OutOption() => new("--out")
    {
        Description = "Where to write the keystore (never overwritten).",
        DefaultValueFactory = _ => DefaultKeystorePath,
    };

    private static Command New(CliConsole io)
    {
        var output = OutOption();
        var command = new Command("new", $"Generate a random key and write it as a keystore v3 file (scrypt). The password is read from {PasswordVariable} or a hidden prompt (typed twice).")
        {
            output,
        };
        command.SetAction(parse => Guard(io, () =>
        {
            var path = TargetPath(parse.GetValue(output));
            var password = NewPassword(io);
            var key = EthKey.Generate();
            return Write(io, key, password, path);
        }));
        return command;
    }

    private static Command Import(CliConsole io)
    {
        var output = OutOption();
        var command = new Command("import", $"Encrypt an existing private key into a keystore v3 file. The key is read from standard input (first line) or a hidden prompt, never from the command line; the password from {PasswordVariable} or a hidden prompt.")
        {
            output,
        };
        command.SetAction(parse => Guard(io, () =>
        {
            var path = TargetPath(parse.GetValue(output));
            var key = ReadPrivateKey(io);
            var password = NewPassword(io);
            return Write(io, key, password, path);
        }));
        return command;
    }

    /// <summary>The keystore `wallet address` and `wallet check` read: the same option, the same default.</summary>
    private static Option<string> KeystoreOption(string note) => new("--keystore")
    {
        Description = $"The keystore file.{note}",
        DefaultValueFactory = _ => DefaultKeystorePath,
    };

    private static Command AddressOf(CliConsole io)
    {
        var keystore = KeystoreOption(" No password is needed: the address is stored in clear.");
        var command = new Command("address", "Print the EIP-55 address of a keystore file (from its \"address\" field, checksum verified; `wallet check` decrypts and verifies it).") { keystore };
        command.SetAction(parse => Guard(io, () =>
        {
            io.Out.WriteLine(ReadAddress(parse.GetValue(keystore)!));
            return 0;
        }));
        return command;
    }

    private static Command Check(CliConsole io)
    {
        var keystore = KeystoreOption(" Any keystore v3 file that geth, ethers.js, Nethereum or `wallet new` writes.");
        var file = new Argument<string?>("FILE")
        {
            Description = "The same as --keystore (give one or the other).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("check", $"Decrypt a keystore with its password ({PasswordVariable} or a hidden prompt), print the address of the key it really holds, and fail when the file's \"address\" field names another address.")
        {
            keystore, file,
        };
        command.SetAction(parse => Guard(io, () =>
        {
            var positional = parse.GetValue(file);
            var option = parse.GetResult(keystore) is { Implicit: false } ? parse.GetValue(keystore) : null;
            if (positional is not null && option is not null)
                throw CliException.BadInput($"the keystore is given twice ('{positional}' and --keystore '{option}'); give one");
            return CheckKeystore(io, positional ?? parse.GetValue(keystore)!);
        }));
        return command;
    }

    /// <summary>
    /// `wallet check [--keystore] FILE`: the real address on stdout; 0 when the "address" field agrees (or is absent), else
    /// <see cref="TreasuryCli.Failure"/> and a line on stderr naming both addresses. A wrong password or a malformed
    /// file is bad input (exit 2).
    /// </summary>
    private static int CheckKeystore(CliConsole io, string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw CliException.BadInput("the keystore path is empty; give the keystore file to check, e.g. `treasury wallet check --keystore keys/keeper.json`");
        var full = Full(path);
        if (!File.Exists(full)) throw CliException.BadInput($"keystore file '{full}' does not exist; give the path of a keystore v3 file");
        var password = io.GetEnvironmentVariable(PasswordVariable);
        if (string.IsNullOrEmpty(password) && io.ReadSecret is { } ask) password = ask("Keystore password:");
        if (string.IsNullOrEmpty(password)) throw CliException.BadInput($"no password for keystore '{full}': set {PasswordVariable} or run interactively");

        KeystoreContents contents;
        try
        {
            contents = Keystore.OpenFile(full, password);
        }
        catch (WrongPasswordException)
        {
            throw CliException.BadInput($"wrong password for keystore '{full}' (its MAC does not match); check {PasswordVariable} or the password typed");
        }
        catch (KeystoreException e)
        {
            throw CliException.BadInput($"'{full}' cannot be opened as a keystore v3 file: {OneLine(e.Message)}");
        }

        io.Out.WriteLine($"address:  {contents.Key.Address}");
        if (contents.FileAddress is not { } claimed)
        {
            io.Out.WriteLine("The password opens the keystore; the file has no \"address\" field, so the address above is the key's own.");
            return 0;
        }

        if (contents.AddressMatches)
        {
            io.Out.WriteLine("The password opens the keystore and its \"address\" field matches the key.");
            return 0;
        }

        io.Error.WriteLine($"error: keystore '{full}' holds the key of {contents.Key.Address}, but its \"address\" field says {claimed}; "
            + $"the field is wrong or the file was tampered with: do not fund {claimed} on the strength of this file, and re-create the keystore "
            + "(`treasury wallet import` with this key) before the keeper uses it (the keeper refuses it)");
        return TreasuryCli.Failure;
    }

    private static string TargetPath(string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw CliException.BadInput("--out is empty; give a file path such as keys/keeper.json");
        var full = Full(path);
        if (File.Exists(full)) throw CliException.BadInput($"'{full}' already exists; choose another --out (keystores are never overwritten)");
        if (Directory.Exists(full)) throw CliException.BadInput($"'{full}' is a directory; give --out a file path such as {Path.Combine(path, "keeper.json")}");
        return full;
    }

    private static int Write(CliConsole io, EthKey key, string password, string path)
    {
        Keystore.Save(key, password, path, io.KeystoreKdf);
        io.Out.WriteLine($"address:  {key.Address}");
        io.Out.WriteLine($"keystore: {path}");
        io.Out.WriteLine($"Set Key:Keystore to this file in appsettings.json; the keeper reads the password from {PasswordVariable} (or asks).");
        return 0;
    }

    /// <summary>The private key from the hidden prompt, or the first line of standard input when no one can be asked.</summary>
    internal static EthKey ReadPrivateKey(CliConsole io)
    {
        var text = io.ReadSecret is { } ask
            ? ask("Private key (0x + 64 hex digits):")
            : io.In.ReadLine();
        if (string.IsNullOrWhiteSpace(text))
            throw CliException.BadInput(io.CanPrompt
                ? "no private key was typed; type 0x followed by 64 hex digits"
                : "no private key on standard input; pipe it in (e.g. `treasury wallet import < key.txt`) or run interactively");
        text = text.Trim();
        if (!text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) text = "0x" + text;
        try
        {
            return EthKey.FromHex(text);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            // Never echo the input: it may be a real key with a typo.
            throw CliException.BadInput("the private key is not valid: give 0x followed by 64 hex digits of a secp256k1 key (the input is not shown)");
        }
    }

    /// <summary>The EIP-55 address in a keystore's "address" field; a mixed-case field must carry a valid checksum.</summary>
    internal static Address ReadAddress(string path)
    {
        var full = Full(path);
        if (!File.Exists(full)) throw CliException.BadInput($"keystore file '{full}' does not exist; pass --keystore PATH or create one with `treasury wallet new`");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(full));
        }
        catch (JsonException e)
        {
            throw CliException.BadInput($"'{full}' is not a keystore: not valid JSON ({OneLine(e.Message)})");
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw CliException.BadInput($"'{full}' is not a keystore: the JSON is not an object");
            JsonElement? field = null;
            foreach (var p in doc.RootElement.EnumerateObject())
                if (p.Name.Equals("address", StringComparison.OrdinalIgnoreCase)) field = p.Value;
            if (field is not { ValueKind: JsonValueKind.String } element || string.IsNullOrWhiteSpace(element.GetString()))
                throw CliException.BadInput($"keystore '{full}' has no \"address\" field; its address can only be read by decrypting it");
            var text = element.GetString()!.Trim();
            var prefixed = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? "0x" + text[2..] : "0x" + text;
            try
            {
                return Address.Parse(prefixed, $"the \"address\" field of '{full}'");
            }
            catch (FormatException e)
            {
                throw CliException.BadInput(e.Message);
            }
        }
    }
}
