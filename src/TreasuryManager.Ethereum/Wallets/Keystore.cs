using System.Security.Cryptography;
using System.Text.Json;
using Nethereum.KeyStore;
using Nethereum.KeyStore.Crypto;
using Nethereum.KeyStore.Model;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Wallets;

/// <summary>What a keystore holds: the decrypted key and the address its "address" field claims (null if absent).</summary>
public sealed record KeystoreContents(EthKey Key, Address? FileAddress)
{
    /// <summary>False when the file's "address" field names another address than the key's.</summary>
    public bool AddressMatches => FileAddress is null || FileAddress == Key.Address;
}

/// <summary>
/// Web3 Secret Storage (version 3) keystores, encrypted and decrypted by Nethereum.KeyStore (scrypt with any n, r,
/// p that geth, ethers.js or Nethereum write, or PBKDF2-HMAC-SHA256; AES-128-CTR; Keccak-256 MAC). This class checks
/// the JSON first so that an error names the bad field, and checks the key against the file's address. The password
/// is taken as UTF-8 bytes, as geth does. No message includes the password or the key.
/// </summary>
public static class Keystore
{
    private const int DerivedKeyLength = 32;

    /// <summary>Decrypts keystore JSON with the password; verifies the MAC and, if present, the address.</summary>
    /// <exception cref="WrongPasswordException">The MAC does not match: the password is wrong.</exception>
    /// <exception cref="KeystoreException">The JSON is malformed, uses an unsupported KDF or cipher, or its address field names another key.</exception>
    public static EthKey Decrypt(string json, string password)
    {
        var contents = Open(json, password);
        if (!contents.AddressMatches)
            throw new KeystoreException($"The keystore of {contents.FileAddress} decrypts to a key for {contents.Key.Address}, not the file's address {contents.FileAddress}; the file's 'address' field is wrong or the file was tampered with.");
        return contents.Key;
    }

    /// <summary>
    /// Decrypts keystore JSON with the password and returns the key with the file's claimed address, without
    /// failing when the two differ (see <see cref="KeystoreContents.AddressMatches"/>): for `treasury wallet check`.
    /// </summary>
    /// <exception cref="WrongPasswordException">The MAC does not match: the password is wrong.</exception>
    /// <exception cref="KeystoreException">The JSON is malformed or uses an unsupported KDF or cipher.</exception>
    public static KeystoreContents Open(string json, string password)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(password);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : "";
            throw new KeystoreException($"The keystore is not valid JSON{where}: a keystore v3 file is a JSON object (as `treasury wallet new` writes).", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new KeystoreException("The keystore JSON is not an object; expected {\"version\":3,\"crypto\":{…},…}.");
            var fileAddress = ReadAddress(root);
            var who = fileAddress is { } a ? $"keystore of {a}" : "keystore (it has no address field)";
            if (Property(root, "version") is not { } version)
                throw new KeystoreException("The keystore has no 'version' field; only version 3 (Web3 Secret Storage v3) is supported.");
            if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v != 3)
                throw new KeystoreException($"The keystore field 'version' is {version.GetRawText()}; only version 3 (Web3 Secret Storage v3) is supported.");
            var crypto = Property(root, "crypto") ?? throw new KeystoreException("The keystore has no 'crypto' (or 'Crypto') field.");
            if (crypto.ValueKind != JsonValueKind.Object) throw new KeystoreException("The keystore field 'crypto' is not an object.");

            var cipher = RequiredString(crypto, "crypto.cipher");
            if (cipher != "aes-128-ctr") throw new KeystoreException($"The keystore field 'crypto.cipher' is '{cipher}'; only 'aes-128-ctr' is supported.");
            var iv = RequiredHex(RequiredObject(crypto, "crypto.cipherparams"), "crypto.cipherparams.iv");
            if (iv.Length != 16) throw new KeystoreException($"The keystore field 'crypto.cipherparams.iv' is {iv.Length} bytes; AES-128-CTR needs 16.");
            var ciphertext = RequiredHex(crypto, "crypto.ciphertext");
            if (ciphertext.Length != 32) throw new KeystoreException($"The keystore field 'crypto.ciphertext' is {ciphertext.Length} bytes; an encrypted private key is 32.");
            var mac = RequiredHex(crypto, "crypto.mac");
            if (mac.Length != 32) throw new KeystoreException($"The keystore field 'crypto.mac' is {mac.Length} bytes; a Keccak-256 MAC is 32.");
            var kdf = ReadKdf(crypto, out var salt);

            byte[] privateKey;
            try
            {
                privateKey = kdf switch
                {
                    KeystoreKdf.Scrypt s => new KeyStoreScryptService().DecryptKeyStore(password, new KeyStore<ScryptParams>
                    {
                        Version = 3,
                        Crypto = new CryptoInfo<ScryptParams>(cipher, ciphertext, iv, mac, salt,
                            new ScryptParams { N = s.N, R = s.R, P = s.P, Dklen = DerivedKeyLength }, KeyStoreScryptService.KdfType),
                    }),
                    KeystoreKdf.Pbkdf2 p => new KeyStorePbkdf2Service().DecryptKeyStore(password, new KeyStore<Pbkdf2Params>
                    {
                        Version = 3,
                        Crypto = new CryptoInfo<Pbkdf2Params>(cipher, ciphertext, iv, mac, salt,
                            new Pbkdf2Params { Count = p.Iterations, Prf = "hmac-sha256", Dklen = DerivedKeyLength }, KeyStorePbkdf2Service.KdfType),
                    }),
                    _ => throw new KeystoreException($"Unsupported KDF {kdf.GetType().Name}."),
                };
            }
            catch (DecryptionException e) { throw new WrongPasswordException($"Wrong password for {who} (MAC mismatch); check the password.", e); }
            catch (Exception e) when (e is not KeystoreException and not OutOfMemoryException)
            { throw new KeystoreException($"The {who} cannot be decrypted ({e.GetType().Name}: {e.Message}).", e); }
            try
            {
                if (!Secp256k1.IsValidPrivateKey(privateKey))
                    throw new KeystoreException($"The {who} decrypts to an invalid secp256k1 private key; the file is corrupt.");
                return new KeystoreContents(new EthKey(privateKey), fileAddress);
            }
            finally { CryptographicOperations.ZeroMemory(privateKey); }
        }
    }

    /// <summary>Reads and decrypts a keystore file (address checked, as <see cref="Decrypt"/>).</summary>
    public static EthKey Load(string path, string password) => Decrypt(ReadFile(path), password);

    /// <summary>Reads and decrypts a keystore file without checking its address field (as <see cref="Open"/>).</summary>
    public static KeystoreContents OpenFile(string path, string password) => Open(ReadFile(path), password);

    private static string ReadFile(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new KeystoreException($"Cannot read keystore file '{path}': {e.Message}", e); }
    }

    /// <summary>
    /// Encrypts the key with Nethereum.KeyStore as geth lays it out: lowercase address without 0x, random salt and
    /// IV, a random UUID id. <paramref name="kdf"/> defaults to <see cref="KeystoreKdf.Default"/>.
    /// </summary>
    public static string Encrypt(EthKey key, string password, KeystoreKdf? kdf = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(password);
        kdf ??= KeystoreKdf.Default;
        var privateKey = key.PrivateKeyBytes.ToArray();
        var address = key.Address.ToLowerHex()[2..];
        try
        {
            switch (kdf)
            {
                case KeystoreKdf.Scrypt s:
                    s.Validate("The requested");
                    return new KeyStoreScryptService().EncryptAndGenerateKeyStoreAsJson(password, privateKey, address,
                        new ScryptParams { N = s.N, R = s.R, P = s.P, Dklen = DerivedKeyLength });
                case KeystoreKdf.Pbkdf2 p:
                    p.Validate("The requested");
                    return new KeyStorePbkdf2Service().EncryptAndGenerateKeyStoreAsJson(password, privateKey, address,
                        new Pbkdf2Params { Count = p.Iterations, Prf = "hmac-sha256", Dklen = DerivedKeyLength });
                default:
                    throw new ArgumentException($"Unsupported KDF {kdf.GetType().Name}.", nameof(kdf));
            }
        }
        finally { CryptographicOperations.ZeroMemory(privateKey); }
    }

    /// <summary>
    /// Encrypts and writes a keystore file atomically: a temporary file in the same folder (owner
    /// read/write only on Unix) is written and flushed, then moved into place. An existing file is
    /// not replaced unless <paramref name="overwrite"/> is true.
    /// </summary>
    public static void Save(EthKey key, string password, string path, KeystoreKdf? kdf = null, bool overwrite = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (!overwrite && File.Exists(full))
            throw new KeystoreException($"Keystore file '{full}' already exists; choose another name or pass overwrite: true.");
        var json = Encrypt(key, password, kdf);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(System.Text.Encoding.UTF8.GetBytes(json));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            // the temporary file's own name means nothing to the reader: say what failed where
            var reason = e is UnauthorizedAccessException ? "permission denied" : e.Message.Replace(temp, directory, StringComparison.Ordinal);
            throw new KeystoreException($"Cannot write keystore file '{full}' (its folder {directory} must be writable): {reason}", e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Saves into <paramref name="directory"/> under geth's file name
    /// (UTC--2024-01-02T03-04-05.000000000Z--address) and returns the full path.
    /// </summary>
    public static string SaveToDirectory(EthKey key, string password, string directory, KeystoreKdf? kdf = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var path = Path.Combine(directory, GethFileName(key.Address, DateTimeOffset.UtcNow));
        Save(key, password, path, kdf);
        return Path.GetFullPath(path);
    }

    /// <summary>geth's keystore file name for an address at a time.</summary>
    public static string GethFileName(Address address, DateTimeOffset time) =>
        $"UTC--{time.UtcDateTime:yyyy'-'MM'-'dd'T'HH'-'mm'-'ss'.'fffffff}00Z--{address.ToLowerHex()[2..]}";

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>The KDF and its salt, checked: scrypt (n, r, p within <see cref="KeystoreKdf.Scrypt"/>'s limits) or PBKDF2-HMAC-SHA256.</summary>
    private static KeystoreKdf ReadKdf(JsonElement crypto, out byte[] salt)
    {
        var kdf = RequiredString(crypto, "crypto.kdf");
        var kdfParams = RequiredObject(crypto, "crypto.kdfparams");
        salt = RequiredHex(kdfParams, "crypto.kdfparams.salt");
        var dkLen = RequiredInt(kdfParams, "crypto.kdfparams.dklen");
        if (dkLen != DerivedKeyLength)
            throw new KeystoreException($"The keystore field 'crypto.kdfparams.dklen' is {dkLen}; version 3 keystores use 32.");
        switch (kdf)
        {
            case "scrypt":
                var scrypt = new KeystoreKdf.Scrypt(RequiredInt(kdfParams, "crypto.kdfparams.n"), RequiredInt(kdfParams, "crypto.kdfparams.r"),
                    RequiredInt(kdfParams, "crypto.kdfparams.p"));
                scrypt.Validate("The keystore's");
                return scrypt;
            case "pbkdf2":
                var prf = RequiredString(kdfParams, "crypto.kdfparams.prf");
                if (prf != "hmac-sha256")
                    throw new KeystoreException($"The keystore field 'crypto.kdfparams.prf' is '{prf}'; only 'hmac-sha256' is supported.");
                var pbkdf2 = new KeystoreKdf.Pbkdf2(RequiredInt(kdfParams, "crypto.kdfparams.c"));
                pbkdf2.Validate("The keystore's");
                return pbkdf2;
            default:
                throw new KeystoreException($"The keystore field 'crypto.kdf' is '{kdf}'; only 'scrypt' and 'pbkdf2' are supported.");
        }
    }

    private static Address? ReadAddress(JsonElement root)
    {
        if (Property(root, "address") is not { } element || element.ValueKind == JsonValueKind.Null) return null;
        if (element.ValueKind != JsonValueKind.String) throw new KeystoreException("The keystore field 'address' is not a string.");
        var text = element.GetString()!;
        if (text.Length == 0) return null;
        var prefixed = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text : "0x" + text;
        if (!Address.TryParse(prefixed.ToLowerInvariant(), out var address))
            throw new KeystoreException($"The keystore field 'address' ('{Hex.Shorten(text)}') is not a 40-hex-digit address.");
        return address;
    }

    /// <summary>A property by name, matching case-insensitively (geth wrote "Crypto" in early versions).</summary>
    private static JsonElement? Property(JsonElement obj, string name)
    {
        if (obj.TryGetProperty(name, out var exact)) return exact;
        foreach (var p in obj.EnumerateObject())
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) return p.Value;
        return null;
    }

    private static JsonElement Required(JsonElement obj, string dottedName) =>
        Property(obj, dottedName[(dottedName.LastIndexOf('.') + 1)..]) is { } value && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new KeystoreException($"The keystore has no '{dottedName}' field.");

    private static JsonElement RequiredObject(JsonElement obj, string dottedName)
    {
        var value = Required(obj, dottedName);
        return value.ValueKind == JsonValueKind.Object ? value : throw new KeystoreException($"The keystore field '{dottedName}' is not an object.");
    }

    private static string RequiredString(JsonElement obj, string dottedName)
    {
        var value = Required(obj, dottedName);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new KeystoreException($"The keystore field '{dottedName}' is not a string.");
    }

    private static int RequiredInt(JsonElement obj, string dottedName)
    {
        var value = Required(obj, dottedName);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n)
            ? n
            : throw new KeystoreException($"The keystore field '{dottedName}' is not a whole number in range ({Hex.Shorten(value.GetRawText())}).");
    }

    private static byte[] RequiredHex(JsonElement obj, string dottedName)
    {
        var text = RequiredString(obj, dottedName);
        try { return Hex.Decode(text, $"keystore field '{dottedName}'"); }
        catch (EthereumFormatException e) { throw new KeystoreException(e.Message, e); }
    }
}
