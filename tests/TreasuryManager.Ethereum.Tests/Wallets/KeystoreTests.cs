using System.Text.Json;
using System.Text.Json.Nodes;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.Wallets;

namespace TreasuryManager.Ethereum.Tests.Wallets;

public sealed class KeystoreTests : IDisposable
{
    private static readonly KeystoreKdf LightScrypt = new KeystoreKdf.Scrypt(N: 1024, R: 8, P: 1);
    private static readonly KeystoreKdf LightPbkdf2 = new KeystoreKdf.Pbkdf2(Iterations: 1000);
    private const string Password = "correct horse battery staple";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tm-keystore-tests-" + Guid.NewGuid().ToString("N"));
    private static readonly EthKey Key = EthKey.FromHex("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    public static TheoryData<string> Kdfs => ["scrypt", "pbkdf2"];
    private static KeystoreKdf KdfOf(string name) => name == "scrypt" ? LightScrypt : LightPbkdf2;

    [Theory]
    [MemberData(nameof(Kdfs))]
    public void Write_then_read_round_trips(string kdf)
    {
        var json = Keystore.Encrypt(Key, Password, KdfOf(kdf));
        var back = Keystore.Decrypt(json, Password);
        Assert.Equal(Key.Address, back.Address);
        Assert.True(back.PrivateKeyBytes.SequenceEqual(Key.PrivateKeyBytes));

        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(Key.Address.ToLowerHex()[2..], root.GetProperty("address").GetString());
        Assert.Equal(3, root.GetProperty("version").GetInt32());
        Assert.True(Guid.TryParseExact(root.GetProperty("id").GetString(), "D", out _));
        var crypto = root.GetProperty("crypto");
        Assert.Equal("aes-128-ctr", crypto.GetProperty("cipher").GetString());
        Assert.Equal(kdf, crypto.GetProperty("kdf").GetString());
        Assert.Equal(32, crypto.GetProperty("kdfparams").GetProperty("dklen").GetInt32());
        Assert.Equal(64, crypto.GetProperty("kdfparams").GetProperty("salt").GetString()!.Length);
        Assert.Equal(32, crypto.GetProperty("cipherparams").GetProperty("iv").GetString()!.Length);
        Assert.DoesNotContain(Convert.ToHexStringLower(Key.PrivateKeyBytes), json, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_encryptions_use_fresh_salt_iv_and_id()
    {
        var a = JsonNode.Parse(Keystore.Encrypt(Key, Password, LightScrypt))!;
        var b = JsonNode.Parse(Keystore.Encrypt(Key, Password, LightScrypt))!;
        Assert.NotEqual(a["crypto"]!["kdfparams"]!["salt"]!.GetValue<string>(), b["crypto"]!["kdfparams"]!["salt"]!.GetValue<string>());
        Assert.NotEqual(a["crypto"]!["cipherparams"]!["iv"]!.GetValue<string>(), b["crypto"]!["cipherparams"]!["iv"]!.GetValue<string>());
        Assert.NotEqual(a["id"]!.GetValue<string>(), b["id"]!.GetValue<string>());
    }

    [Fact]
    public void Default_kdf_is_geth_standard_scrypt()
    {
        var s = Assert.IsType<KeystoreKdf.Scrypt>(KeystoreKdf.Default);
        Assert.Equal((262144, 8, 1), (s.N, s.R, s.P));
    }

    [Theory]
    [MemberData(nameof(Kdfs))]
    public void Wrong_password_gives_the_dedicated_error_without_secrets(string kdf)
    {
        var json = Keystore.Encrypt(Key, Password, KdfOf(kdf));
        var error = Assert.Throws<WrongPasswordException>(() => Keystore.Decrypt(json, "Tr0ub4dor&3"));
        Assert.Contains("wrong password", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("MAC mismatch", error.Message, StringComparison.Ordinal);
        Assert.Contains(Key.Address.ToString(), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Tr0ub4dor&3", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexStringLower(Key.PrivateKeyBytes), error.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Wrong_password_without_address_field_still_is_clear()
    {
        var node = JsonNode.Parse(Keystore.Encrypt(Key, Password, LightScrypt))!.AsObject();
        node.Remove("address");
        var error = Assert.Throws<WrongPasswordException>(() => Keystore.Decrypt(node.ToJsonString(), "nope"));
        Assert.Contains("no address field", error.Message, StringComparison.Ordinal);
        Assert.Equal(Key.Address, Keystore.Decrypt(node.ToJsonString(), Password).Address);
    }

    [Fact]
    public void Address_field_that_does_not_match_the_key_is_an_error()
    {
        var node = JsonNode.Parse(Keystore.Encrypt(Key, Password, LightScrypt))!;
        node["address"] = "f39fd6e51aad88f6f4ce6ab8827279cfffb92266";
        var error = Assert.Throws<KeystoreException>(() => Keystore.Decrypt(node.ToJsonString(), Password));
        Assert.IsNotType<WrongPasswordException>(error);
        Assert.Contains("not the file's address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_keystore_with_nethereums_default_scrypt_opens()
    {
        // Nethereum writes scrypt n = 262144 with r = 1, p = 8; BouncyCastle's scrypt refuses r = 1 with n ≥ 65536
        // ("N must be < 65536"), which is what this reader did before it decrypted through Nethereum.KeyStore.
        var json = new Nethereum.KeyStore.KeyStoreScryptService().EncryptAndGenerateKeyStoreAsJson(Password, Key.PrivateKeyBytes.ToArray(), Key.Address.ToString());
        var kdfParams = JsonNode.Parse(json)!["crypto"]!["kdfparams"]!;
        Assert.Equal((262144, 1, 8), ((int)kdfParams["n"]!, (int)kdfParams["r"]!, (int)kdfParams["p"]!));
        var back = Keystore.Decrypt(json, Password);
        Assert.Equal(Key.Address, back.Address);
        Assert.True(back.PrivateKeyBytes.SequenceEqual(Key.PrivateKeyBytes));
        Assert.Throws<WrongPasswordException>(() => Keystore.Decrypt(json, Password + "!"));
    }

    [Theory]
    [MemberData(nameof(Kdfs))]
    public void Keystores_we_write_open_in_nethereum(string kdf)
    {
        var json = Keystore.Encrypt(Key, Password, KdfOf(kdf));
        Assert.Equal(Key.PrivateKeyBytes.ToArray(), new Nethereum.KeyStore.KeyStoreService().DecryptKeyStoreFromJson(Password, json));
    }

    [Fact]
    public void Open_reports_an_address_field_that_lies_without_failing()
    {
        var node = JsonNode.Parse(Keystore.Encrypt(Key, Password, LightScrypt))!;
        var honest = Keystore.Open(node.ToJsonString(), Password);
        Assert.True(honest.AddressMatches);
        Assert.Equal(Key.Address, honest.FileAddress);

        node["address"] = "f39fd6e51aad88f6f4ce6ab8827279cfffb92266";
        var lying = Keystore.Open(node.ToJsonString(), Password);
        Assert.False(lying.AddressMatches);
        Assert.Equal(Key.Address, lying.Key.Address);
        Assert.Equal(Address.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), lying.FileAddress);

        node.AsObject().Remove("address");
        var silent = Keystore.Open(node.ToJsonString(), Password);
        Assert.True(silent.AddressMatches);
        Assert.Null(silent.FileAddress);
    }

    [Fact]
    public void Address_field_with_0x_prefix_and_capital_Crypto_are_accepted()
    {
        var node = JsonNode.Parse(Keystore.Encrypt(Key, Password, LightPbkdf2))!.AsObject();
        node["address"] = Key.Address.ToString();
        var crypto = node["crypto"]!;
        node.Remove("crypto");
        node["Crypto"] = crypto;
        Assert.Equal(Key.Address, Keystore.Decrypt(node.ToJsonString(), Password).Address);
    }

    [Theory]
    [InlineData("crypto.cipher", "aes-128-cbc", "'crypto.cipher'")]
    [InlineData("crypto.kdf", "argon2id", "'crypto.kdf'")]
    [InlineData("crypto.kdfparams.salt", "zz", "'crypto.kdfparams.salt'")]
    [InlineData("crypto.cipherparams.iv", "00", "'crypto.cipherparams.iv'")]
    [InlineData("crypto.mac", null, "'crypto.mac'")]
    [InlineData("crypto.ciphertext", null, "'crypto.ciphertext'")]
    [InlineData("crypto.kdfparams.n", "1000", "scrypt n")]
    [InlineData("crypto.kdfparams.dklen", "16", "'crypto.kdfparams.dklen'")]
    [InlineData("version", "1", "'version'")]
    [InlineData("crypto", null, "'crypto'")]
    public void Malformed_or_unsupported_fields_are_named(string field, string? value, string expected)
    {
        var node = JsonNode.Parse(Keystore.Encrypt(Key, Password, LightScrypt))!;
        var parts = field.Split('.');
        var parent = parts[..^1].Aggregate(node, (n, p) => n[p]!).AsObject();
        if (value is null) parent.Remove(parts[^1]);
        else parent[parts[^1]] = int.TryParse(value, out var number) ? JsonValue.Create(number) : JsonValue.Create(value);
        var error = Assert.Throws<KeystoreException>(() => Keystore.Decrypt(node.ToJsonString(), Password));
        Assert.IsNotType<WrongPasswordException>(error);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pbkdf2_with_another_prf_is_refused()
    {
        var node = JsonNode.Parse(Keystore.Encrypt(Key, Password, LightPbkdf2))!;
        node["crypto"]!["kdfparams"]!["prf"] = "hmac-sha512";
        Assert.Contains("'crypto.kdfparams.prf'", Assert.Throws<KeystoreException>(() => Keystore.Decrypt(node.ToJsonString(), Password)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"version\":3}")]
    public void Malformed_json_is_a_keystore_error(string json) =>
        Assert.Throws<KeystoreException>(() => Keystore.Decrypt(json, Password));

    [Fact]
    public void Save_writes_atomically_and_load_reads_back()
    {
        var path = Path.Combine(_dir, "sub", "key.json");
        Keystore.Save(Key, Password, path, LightScrypt);
        Assert.Equal(Key.Address, Keystore.Load(path, Password).Address);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temporary file left
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        var before = File.ReadAllText(path);
        var error = Assert.Throws<KeystoreException>(() => Keystore.Save(EthKey.Generate(), Password, path, LightScrypt));
        Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(path));

        var other = EthKey.Generate();
        Keystore.Save(other, Password, path, LightScrypt, overwrite: true);
        Assert.Equal(other.Address, Keystore.Load(path, Password).Address);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Save_to_directory_uses_the_geth_file_name()
    {
        var path = Keystore.SaveToDirectory(Key, Password, _dir, LightPbkdf2);
        var name = Path.GetFileName(path);
        Assert.Matches(@"^UTC--\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{9}Z--[0-9a-f]{40}$", name);
        Assert.EndsWith(Key.Address.ToLowerHex()[2..], name, StringComparison.Ordinal);
        Assert.Equal(Key.Address, Keystore.Load(path, Password).Address);
    }

    [Fact]
    public void Load_of_a_missing_file_is_a_keystore_error() =>
        Assert.Contains("Cannot read keystore file", Assert.Throws<KeystoreException>(() => Keystore.Load(Path.Combine(_dir, "missing.json"), Password)).Message, StringComparison.Ordinal);

    [Fact]
    public void Geth_file_name_format() =>
        Assert.Equal("UTC--2018-01-27T01-52-22.123456700Z--f39fd6e51aad88f6f4ce6ab8827279cfffb92266",
            Keystore.GethFileName(Address.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
                new DateTimeOffset(2018, 1, 27, 1, 52, 22, TimeSpan.Zero).AddTicks(1234567)));

    [Fact]
    public void Mnemonic_key_survives_a_keystore_round_trip()
    {
        var key = HdWallet.FromMnemonic("test test test test test test test test test test test junk").GetAccount(0);
        var back = Keystore.Decrypt(Keystore.Encrypt(key, "", LightScrypt), "");
        Assert.Equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", back.Address.ToString());
        Assert.Equal("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", Hex.Encode(back.PrivateKeyBytes));
    }
}
