using System.Text.Json;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Wallets;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Keeper.Keys;

/// <summary>
/// Loads the keeper's signing key from the source <see cref="KeySettings"/> names: a keystore v3 file opened with
/// the password from the environment variable <see cref="KeySettings.PasswordEnv"/> (else a prompt), or a BIP-39
/// mnemonic from the environment variable <see cref="KeySettings.MnemonicEnv"/> derived at
/// <see cref="KeySettings.DerivationPath"/>. Every failure is a <see cref="KeySourceException"/> with a one-line
/// message naming the bad input and the fix; no message contains the password, the mnemonic or the key.
/// </summary>
public static class KeyLoader
{
    /// <param name="settings">The Key section (relative keystore paths already rooted by <see cref="SettingsLoader"/>).</param>
    /// <param name="getEnvironmentVariable">Reads an environment variable (<see cref="Environment.GetEnvironmentVariable(string)"/>).</param>
    /// <param name="promptPassword">Asks for the keystore password (hidden); null, or returning null, when no one can answer.</param>
    public static EthKey Load(KeySettings settings, Func<string, string?> getEnvironmentVariable, Func<string?>? promptPassword)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        Validate(settings);

        return string.IsNullOrWhiteSpace(settings.Keystore)
            ? FromMnemonic(settings, getEnvironmentVariable)
            : FromKeystore(settings, settings.Keystore!, getEnvironmentVariable, promptPassword);
    }

    /// <summary>
    /// The keeper's address without its secret, for what only simulates as the keeper (a dry run, status, a fork
    /// rehearsal): a keystore's "address" field (no password), or the mnemonic's account. Throws
    /// <see cref="KeySourceException"/> naming the setting when neither gives one, instead of simulating from no account.
    /// </summary>
    public static Address AddressWithoutSecret(KeySettings settings, Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        Validate(settings);
        if (string.IsNullOrWhiteSpace(settings.Keystore)) return FromMnemonic(settings, getEnvironmentVariable).Address;

        var full = ExistingKeystore(settings.Keystore!);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(full));
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("address", out var field) && field.ValueKind == JsonValueKind.String && field.GetString() is { } text
                && Address.TryParse(text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text : "0x" + text, out var address))
                return address;
        }
        catch (JsonException e)
        {
            throw new KeySourceException($"keystore '{full}' (Key:Keystore) is not valid JSON: {OneLine(e.Message)} Fix or recreate it with `treasury wallet new`.", e);
        }
        throw new KeySourceException($"keystore '{full}' (Key:Keystore) has no usable \"address\" field, which a simulation needs to act as the keeper without the password; "
            + $"set {settings.PasswordEnv} to open it, or recreate it with `treasury wallet new` (which writes the field)");
    }

    /// <summary>The Key section's own rules (one source, a derivation path) and that it names one, as a <see cref="KeySourceException"/>.</summary>
    private static void Validate(KeySettings settings)
    {
        if (!settings.IsSet)
            throw new KeySourceException("no keeper key is configured (Key sets neither Keystore nor MnemonicEnv); run `treasury wallet new` (or `wallet import`) and set Key:Keystore, or set Key:MnemonicEnv to the name of the variable holding the mnemonic");
        try
        {
            settings.Validate();
        }
        catch (SettingsException e)
        {
            throw new KeySourceException(e.Message, e);
        }
    }

    /// <summary>The keystore's full path; throws naming Key:Keystore when there is no file there.</summary>
    private static string ExistingKeystore(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new KeySourceException($"keystore file '{full}' (Key:Keystore) does not exist; fix the path or create one with `treasury wallet new --out {path}`");
        return full;
    }

    private static EthKey FromKeystore(KeySettings settings, string path, Func<string, string?> getEnvironmentVariable, Func<string?>? promptPassword)
    {
        var full = ExistingKeystore(path);

        var password = getEnvironmentVariable(settings.PasswordEnv);
        if (string.IsNullOrEmpty(password)) password = promptPassword?.Invoke();
        if (string.IsNullOrEmpty(password))
            throw new KeySourceException($"no password for keystore '{full}': set {settings.PasswordEnv} or run interactively");

        KeystoreContents contents;
        try
        {
            contents = Keystore.OpenFile(full, password);
        }
        catch (WrongPasswordException e)
        {
            throw new KeySourceException($"wrong password for keystore '{full}'; check {settings.PasswordEnv} (or the password typed)", e);
        }
        catch (KeystoreException e)
        {
            throw new KeySourceException($"keystore '{full}' cannot be used: {OneLine(e.Message)} Fix or recreate it with `treasury wallet new`.", e);
        }

        if (!contents.AddressMatches)
            throw new KeySourceException($"keystore '{full}' holds the key of {contents.Key.Address}, but its \"address\" field says {contents.FileAddress}; "
                + $"the keeper will not sign with a keystore that misnames its key: run `treasury wallet check --keystore {path}` and re-create the file");
        return contents.Key;
    }

    private static EthKey FromMnemonic(KeySettings settings, Func<string, string?> getEnvironmentVariable)
    {
        var variable = settings.MnemonicEnv!;
        var phrase = getEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(phrase))
            throw new KeySourceException($"environment variable {variable} (named by Key:MnemonicEnv) is not set; export the BIP-39 mnemonic in {variable}");

        HdNode root;
        try
        {
            root = HdNode.FromMnemonic(phrase.Trim());
        }
        catch (FormatException)
        {
            // The library's message never quotes the words, but ours does not depend on that.
            throw new KeySourceException($"the mnemonic in {variable} is not a valid English BIP-39 phrase (unknown word, wrong word count or bad checksum); check {variable}");
        }

        HdPath path;
        try
        {
            path = HdPath.Parse(settings.DerivationPath);
        }
        catch (HdPathException e)
        {
            throw new KeySourceException($"setting Key:DerivationPath: {OneLine(e.Message)}", e);
        }

        if (!path.IsAbsolute)
            throw new KeySourceException($"setting Key:DerivationPath '{settings.DerivationPath}' must start at the master key, e.g. m/44'/60'/0'/0/0");
        try
        {
            return root.Derive(settings.DerivationPath).ToEthKey();
        }
        catch (Exception e) when (e is HdPathException or ArgumentException)
        {
            throw new KeySourceException($"setting Key:DerivationPath '{settings.DerivationPath}' cannot be derived: {OneLine(e.Message)}", e);
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}

/// <summary>The keeper's key cannot be loaded; the message is one line naming the bad input and the fix, and holds no secret.</summary>
public sealed class KeySourceException : Exception
{
    public KeySourceException(string message) : base(message) { }
    public KeySourceException(string message, Exception inner) : base(message, inner) { }
}
