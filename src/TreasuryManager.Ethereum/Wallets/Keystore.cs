using System.Security.Cryptography;
using System.Text.Json;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Wallets;

/// <summary>
/// Web3 Secret Storage (version 3) keystores as geth writes them: scrypt or PBKDF2-HMAC-SHA256,
/// AES-128-CTR, MAC = Keccak-256(derivedKey[16..32] ‖ ciphertext). The password is taken as UTF-8
/// bytes, as geth does. No message includes the password or the key.
/// </summary>
public static class Keystore
{
    private const int DerivedKeyLength = 32;

    /// <summary>Decrypts keystore JSON with the password; verifies the MAC and, if present, the address.</summary>
    /// <exception cref="WrongPasswordException">The MAC does not match: the password is wrong.</exception>
    /// <exception cref="KeystoreException">The JSON is malformed or uses an unsupported KDF or cipher.</exception>
    public static EthKey Decrypt(string json, string password)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(password);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new KeystoreException($"The keystore is not valid JSON ({e.Message}).", e); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new KeystoreException("The keystore JSON is not an object; expected {\"version\":3,\"crypto\":{…},…}.");
            var fileAddress = ReadAddress(root);
            var who = fileAddress is { } a ? $"keystore of {a}" : "keystore (it has no address field)";
            if (Property(root, "version") is { } version)
            {
                if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v != 3)
                    throw new KeystoreException($"The keystore field 'version' is {version.GetRawText()}; only version 3 (Web3 Secret Storage v3) is supported.");
            }
            else throw new KeystoreException("The keystore has no 'version' field; only version 3 (Web3 Secret Storage v3) is supported.");
            var crypto = Property(root, "crypto") ?? throw new KeystoreException("The keystore has no 'crypto' (or 'Crypto') field.");
            if (crypto.ValueKind != JsonValueKind.Object) throw new KeystoreException("The keystore field 'crypto' is not an object.");

            var cipher = RequiredString(crypto, "crypto.cipher");
            if (cipher != "aes-128-ctr") throw new KeystoreException($"The keystore field 'crypto.cipher' is '{cipher}'; only 'aes-128-ctr' is supported.");
            var cipherParams = RequiredObject(crypto, "crypto.cipherparams");
            var iv = RequiredHex(cipherParams, "crypto.cipherparams.iv");
            if (iv.Length != 16) throw new KeystoreException($"The keystore field 'crypto.cipherparams.iv' is {iv.Length} bytes; AES-128-CTR needs 16.");
            var ciphertext = RequiredHex(crypto, "crypto.ciphertext");
            if (ciphertext.Length != 32) throw new KeystoreException($"The keystore field 'crypto.ciphertext' is {ciphertext.Length} bytes; an encrypted private key is 32.");
            var mac = RequiredHex(crypto, "crypto.mac");
            if (mac.Length != 32) throw new KeystoreException($"The keystore field 'crypto.mac' is {mac.Length} bytes; a Keccak-256 MAC is 32.");

            var derivedKey = DeriveKey(crypto, password);
            try
            {
                var macInput = new byte[16 + ciphertext.Length];
                derivedKey.AsSpan(16, 16).CopyTo(macInput);
                ciphertext.CopyTo(macInput, 16);
                if (!CryptographicOperations.FixedTimeEquals(Keccak256.Hash(macInput), mac))
                    throw new WrongPasswordException($"Wrong password for {who} (MAC mismatch); check the password.");
                var privateKey = AesCtr(derivedKey.AsSpan(0, 16), iv, ciphertext);
                try
                {
                    if (!Secp256k1.IsValidPrivateKey(privateKey))
                        throw new KeystoreException($"The {who} decrypts to an invalid secp256k1 private key; the file is corrupt.");
                    var key = new EthKey(privateKey);
                    if (fileAddress is { } expected && expected != key.Address)
                        throw new KeystoreException($"The {who} decrypts to a key for {key.Address}, not the file's address {expected}; the file's 'address' field is wrong or the file was tampered with.");
                    return key;
                }
                finally { CryptographicOperations.ZeroMemory(privateKey); }
            }
            finally { CryptographicOperations.ZeroMemory(derivedKey); }
        }
    }

    /// <summary>Reads and decrypts a keystore file.</summary>
    public static EthKey Load(string path, string password)
    {
        string json;
        try { json = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new KeystoreException($"Cannot read keystore file '{path}': {e.Message}", e); }
        return Decrypt(json, password);
    }

    /// <summary>
    /// Encrypts the key as geth does: lowercase address without 0x, random salt and IV, a random
    /// UUID id. <paramref name="kdf"/> defaults to <see cref="KeystoreKdf.Default"/>.
    /// </summary>
    public static string Encrypt(EthKey key, string password, KeystoreKdf? kdf = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(password);
        kdf ??= KeystoreKdf.Default;
        var salt = RandomNumberGenerator.GetBytes(32);
        var iv = RandomNumberGenerator.GetBytes(16);
        var passwordBytes = System.Text.Encoding.UTF8.GetBytes(password);
        byte[] derivedKey;
        try
        {
            derivedKey = kdf switch
            {
                KeystoreKdf.Scrypt s => ScryptKey(s, passwordBytes, salt, "The requested"),
                KeystoreKdf.Pbkdf2 p => Pbkdf2Key(p, passwordBytes, salt, "The requested"),
                _ => throw new ArgumentException($"Unsupported KDF {kdf.GetType().Name}.", nameof(kdf)),
            };
        }
        finally { CryptographicOperations.ZeroMemory(passwordBytes); }
        try
        {
            var ciphertext = AesCtr(derivedKey.AsSpan(0, 16), iv, key.PrivateKeyBytes);
            var macInput = new byte[16 + ciphertext.Length];
            derivedKey.AsSpan(16, 16).CopyTo(macInput);
            ciphertext.CopyTo(macInput, 16);
            var mac = Keccak256.Hash(macInput);

            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("address", key.Address.ToLowerHex()[2..]);
                w.WriteStartObject("crypto");
                w.WriteString("cipher", "aes-128-ctr");
                w.WriteString("ciphertext", Convert.ToHexStringLower(ciphertext));
                w.WriteStartObject("cipherparams");
                w.WriteString("iv", Convert.ToHexStringLower(iv));
                w.WriteEndObject();
                switch (kdf)
                {
                    case KeystoreKdf.Scrypt s:
                        w.WriteString("kdf", "scrypt");
                        w.WriteStartObject("kdfparams");
                        w.WriteNumber("dklen", DerivedKeyLength);
                        w.WriteNumber("n", s.N);
                        w.WriteNumber("p", s.P);
                        w.WriteNumber("r", s.R);
                        w.WriteString("salt", Convert.ToHexStringLower(salt));
                        w.WriteEndObject();
                        break;
                    case KeystoreKdf.Pbkdf2 p:
                        w.WriteString("kdf", "pbkdf2");
                        w.WriteStartObject("kdfparams");
                        w.WriteNumber("c", p.Iterations);
                        w.WriteNumber("dklen", DerivedKeyLength);
                        w.WriteString("prf", "hmac-sha256");
                        w.WriteString("salt", Convert.ToHexStringLower(salt));
                        w.WriteEndObject();
                        break;
                }
                w.WriteString("mac", Convert.ToHexStringLower(mac));
                w.WriteEndObject();
                w.WriteString("id", Guid.NewGuid().ToString("D"));
                w.WriteNumber("version", 3);
                w.WriteEndObject();
            }
            return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }
        finally { CryptographicOperations.ZeroMemory(derivedKey); }
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
            throw new KeystoreException($"Cannot write keystore file '{full}': {e.Message}", e);
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

    private static byte[] DeriveKey(JsonElement crypto, string password)
    {
        var kdf = RequiredString(crypto, "crypto.kdf");
        var kdfParams = RequiredObject(crypto, "crypto.kdfparams");
        var salt = RequiredHex(kdfParams, "crypto.kdfparams.salt");
        var dkLen = RequiredInt(kdfParams, "crypto.kdfparams.dklen");
        if (dkLen != DerivedKeyLength)
            throw new KeystoreException($"The keystore field 'crypto.kdfparams.dklen' is {dkLen}; version 3 keystores use 32.");
        var passwordBytes = System.Text.Encoding.UTF8.GetBytes(password);
        try
        {
            switch (kdf)
            {
                case "scrypt":
                    return ScryptKey(new KeystoreKdf.Scrypt(RequiredInt(kdfParams, "crypto.kdfparams.n"), RequiredInt(kdfParams, "crypto.kdfparams.r"),
                        RequiredInt(kdfParams, "crypto.kdfparams.p")), passwordBytes, salt, "The keystore's");
                case "pbkdf2":
                    var prf = RequiredString(kdfParams, "crypto.kdfparams.prf");
                    if (prf != "hmac-sha256")
                        throw new KeystoreException($"The keystore field 'crypto.kdfparams.prf' is '{prf}'; only 'hmac-sha256' is supported.");
                    return Pbkdf2Key(new KeystoreKdf.Pbkdf2(RequiredInt(kdfParams, "crypto.kdfparams.c")), passwordBytes, salt, "The keystore's");
                default:
                    throw new KeystoreException($"The keystore field 'crypto.kdf' is '{kdf}'; only 'scrypt' and 'pbkdf2' are supported.");
            }
        }
        finally { CryptographicOperations.ZeroMemory(passwordBytes); }
    }

    private static byte[] ScryptKey(KeystoreKdf.Scrypt s, byte[] password, byte[] salt, string where)
    {
        s.Validate(where);
        return Org.BouncyCastle.Crypto.Generators.SCrypt.Generate(password, salt, s.N, s.R, s.P, DerivedKeyLength);
    }

    private static byte[] Pbkdf2Key(KeystoreKdf.Pbkdf2 p, byte[] password, byte[] salt, string where)
    {
        p.Validate(where);
        return Rfc2898DeriveBytes.Pbkdf2(password, salt, p.Iterations, HashAlgorithmName.SHA256, DerivedKeyLength);
    }

    /// <summary>AES-128 in CTR mode with a 128-bit big-endian counter starting at the IV (as geth).</summary>
    private static byte[] AesCtr(ReadOnlySpan<byte> key16, byte[] iv, ReadOnlySpan<byte> input)
    {
        var cipher = new SicBlockCipher(new AesEngine());
        cipher.Init(true, new ParametersWithIV(new KeyParameter(key16), iv));
        var output = new byte[input.Length];
        Span<byte> keystream = stackalloc byte[16];
        Span<byte> zeros = stackalloc byte[16];
        for (var offset = 0; offset < input.Length; offset += 16)
        {
            cipher.ProcessBlock(zeros, keystream); // CTR: E(counter) XOR 0 = the keystream block
            var n = Math.Min(16, input.Length - offset);
            for (var i = 0; i < n; i++) output[offset + i] = (byte)(input[offset + i] ^ keystream[i]);
        }
        CryptographicOperations.ZeroMemory(keystream);
        return output;
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
