using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Wallets;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Keys;

namespace TreasuryManager.Keeper.Tests;

public sealed class KeyLoaderTests : IDisposable
{
    private const string Password = "correct horse battery staple 9f3a";
    private const string DevMnemonic = "test test test test test test test test test test test junk";
    private static readonly Address DevAccount1 = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    private static readonly KeystoreKdf FastKdf = new KeystoreKdf.Scrypt(16, 8, 1);

    private readonly string _dir = Directory.CreateTempSubdirectory("keyloader-").FullName;
    private readonly EthKey _key = EthKey.Generate();
    private readonly string _keystore;

    public KeyLoaderTests()
    {
        _keystore = Path.Combine(_dir, "keeper.json");
        Keystore.Save(_key, Password, _keystore, FastKdf);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    private KeySettings KeystoreSettings => new() { Keystore = _keystore };

    private string PrivateHex => Convert.ToHexStringLower(_key.PrivateKeyBytes);

    private void AssertNoSecret(KeySourceException e, params string[] extraSecrets)
    {
        var text = e.ToString();
        Assert.DoesNotContain('\n', e.Message);
        foreach (var secret in new[] { Password, DevMnemonic, PrivateHex, DevMnemonic.Replace(' ', '\n') }.Concat(extraSecrets))
        {
            Assert.DoesNotContain(secret, e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Keystore_with_the_password_in_the_environment()
    {
        var key = KeyLoader.Load(KeystoreSettings, Env(("TREASURY_KEYSTORE_PASSWORD", Password)), promptPassword: () => throw new InvalidOperationException("no prompt expected"));
        Assert.Equal(_key.Address, key.Address);
    }

    [Fact]
    public void Keystore_with_the_password_from_a_custom_variable()
    {
        var key = KeyLoader.Load(KeystoreSettings with { PasswordEnv = "MY_PW" }, Env(("MY_PW", Password)), null);
        Assert.Equal(_key.Address, key.Address);
    }

    [Fact]
    public void Keystore_with_the_password_typed_at_the_prompt()
    {
        var prompted = 0;
        var key = KeyLoader.Load(KeystoreSettings, Env(), () => { prompted++; return Password; });
        Assert.Equal(_key.Address, key.Address);
        Assert.Equal(1, prompted);
    }

    [Fact]
    public void A_keystore_whose_address_field_names_another_key_is_refused_and_points_to_wallet_check()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(_keystore))!;
        json["address"] = "70997970c51812dc3a010c7d01b50e0d17dc79c8";
        File.WriteAllText(_keystore, json.ToJsonString());
        var e = Assert.Throws<KeySourceException>(() => KeyLoader.Load(KeystoreSettings, Env(("TREASURY_KEYSTORE_PASSWORD", Password)), null));
        Assert.Contains($"holds the key of {_key.Address}", e.Message);
        Assert.Contains($"says {DevAccount1}", e.Message);
        Assert.Contains("treasury wallet check", e.Message);
        AssertNoSecret(e);
    }

    [Fact]
    public void Wrong_password_names_the_file_and_the_variable()
    {
        var e = Assert.Throws<KeySourceException>(() => KeyLoader.Load(KeystoreSettings, Env(("TREASURY_KEYSTORE_PASSWORD", "wrong-" + Password)), null));
        Assert.Contains("wrong password", e.Message);
        Assert.Contains(_keystore, e.Message);
        Assert.Contains("TREASURY_KEYSTORE_PASSWORD", e.Message);
        AssertNoSecret(e, "wrong-" + Password);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Missing_password_without_a_prompt_says_to_set_the_variable_or_run_interactively(bool promptReturnsNull)
    {
        Func<string?>? prompt = promptReturnsNull ? () => null : null;
        var e = Assert.Throws<KeySourceException>(() => KeyLoader.Load(KeystoreSettings, Env(("TREASURY_KEYSTORE_PASSWORD", "")), prompt));
        Assert.Contains("set TREASURY_KEYSTORE_PASSWORD or run interactively", e.Message);
        AssertNoSecret(e);
    }

    [Fact]
    public void Missing_keystore_file_names_the_path_and_the_fix()
    {
        var missing = Path.Combine(_dir, "nope.json");
        var e = Assert.Throws<KeySourceException>(() => KeyLoader.Load(new KeySettings { Keystore = missing }, Env(("TREASURY_KEYSTORE_PASSWORD", Password)), null));
        Assert.Contains(missing, e.Message);
        Assert.Contains("does not exist", e.Message);
        Assert.Contains("treasury wallet new", e.Message);
        AssertNoSecret(e);
    }

    [Fact]
    public void Corrupt_keystore_is_a_key_source_error()
    {
        File.WriteAllText(_keystore, "{ \"version\": 3 }");
        var e = Assert.Throws<KeySourceException>(() => KeyLoader.Load(KeystoreSettings, Env(("TREASURY_KEYSTORE_PASSWORD", Password)), null));
        Assert.Contains("crypto", e.Message);
        AssertNoSecret(e);
    }

    [Fact]
    public void A_simulation_takes_the_keepers_address_from_the_keystores_field_without_the_password_or_names_why_it_cannot()
    {
        // the field, no password anywhere
        Assert.Equal(_key.Address, KeyLoader.AddressWithoutSecret(KeystoreSettings, Env()));
        // the mnemonic's account
        Assert.Equal(DevAccount1, KeyLoader.AddressWithoutSecret(new KeySettings { MnemonicEnv = "M", DerivationPath = "m/44'/60'/0'/0/1" }, Env(("M", DevMnemonic))));

        var missing = Path.Combine(_dir, "nope.json");
        var gone = Assert.Throws<KeySourceException>(() => KeyLoader.AddressWithoutSecret(new KeySettings { Keystore = missing }, Env()));
        Assert.Contains($"keystore file '{missing}' (Key:Keystore) does not exist", gone.Message);
        var unset = Assert.Throws<KeySourceException>(() => KeyLoader.AddressWithoutSecret(new KeySettings { MnemonicEnv = "M" }, Env()));
        Assert.Contains("environment variable M (named by Key:MnemonicEnv) is not set", unset.Message);

        // a keystore whose "address" field is gone: the password would open it, so the message says which variable
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(_keystore))!.AsObject();
        json.Remove("address");
        File.WriteAllText(_keystore, json.ToJsonString());
        var noField = Assert.Throws<KeySourceException>(() => KeyLoader.AddressWithoutSecret(KeystoreSettings, Env()));
        Assert.Contains("has no usable \"address\" field", noField.Message);
        Assert.Contains("set TREASURY_KEYSTORE_PASSWORD", noField.Message);
        File.WriteAllText(_keystore, "{ not json");
        Assert.Contains("is not valid JSON", Assert.Throws<KeySourceException>(() => KeyLoader.AddressWithoutSecret(KeystoreSettings, Env())).Message);
        var both = Assert.Throws<KeySourceException>(() => KeyLoader.AddressWithoutSecret(new KeySettings { Keystore = _keystore, MnemonicEnv = "M" }, Env()));
        AssertNoSecret(both);
    }

    [Fact]
    public void Mnemonic_and_path_give_hardhat_dev_account_1()
    {
        var settings = new KeySettings { MnemonicEnv = "TREASURY_MNEMONIC", DerivationPath = "m/44'/60'/0'/0/1" };
        var key = KeyLoader.Load(settings, Env(("TREASURY_MNEMONIC", DevMnemonic)), null);
        Assert.Equal(DevAccount1, key.Address);
        Assert.Equal("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", key.Address.ToString());
        Assert.DoesNotContain(DevMnemonic, key.ToString());
        Assert.DoesNotContain(Convert.ToHexStringLower(key.PrivateKeyBytes), key.ToString());
    }

    [Fact]
    public void Unset_mnemonic_variable_names_it()
    {
        var settings = new KeySettings { MnemonicEnv = "TREASURY_MNEMONIC" };
        var e = Assert.Throws<KeySourceException>(() => KeyLoader.Load(settings, Env(), null));
        Assert.Contains("TREASURY_MNEMONIC", e.Message);
        Assert.Contains("not set", e.Message);
        AssertNoSecret(e);
    }

    [Theory]
    [InlineData("test test test test test test test test test test test test")] // bad checksum
    [InlineData("test test test test test test test test test test junk")] // 11 words
    [InlineData("test test test test test test test test test test test zzzzqx")] // unknown word
    public void Invalid_mnemonic_is_reported_without_its_words(string phrase)
    {
        var settings = new KeySettings { MnemonicEnv = "TREASURY_MNEMONIC" };
        var e = Assert.Throws<KeySourceException>(() => KeyLoader.Load(settings, Env(("TREASURY_MNEMONIC", phrase)), null));
        Assert.Contains("not a valid English BIP-39 phrase", e.Message);
        Assert.DoesNotContain("test", e.Message);
        Assert.DoesNotContain("zzzzqx", e.ToString());
        AssertNoSecret(e, phrase);
    }

    [Theory]
    [InlineData("m/44'/60'/x/0/1")]
    [InlineData("44'/60'/0'/0/1")]
    [InlineData("")]
    public void Bad_derivation_path_names_the_setting(string path)
    {
        var settings = new KeySettings { MnemonicEnv = "TREASURY_MNEMONIC", DerivationPath = path };
        var e = Assert.Throws<KeySourceException>(() => KeyLoader.Load(settings, Env(("TREASURY_MNEMONIC", DevMnemonic)), null));
        Assert.Contains("Key:DerivationPath", e.Message);
        AssertNoSecret(e);
    }

    [Fact]
    public void Both_or_neither_source_is_a_key_source_error()
    {
        var both = Assert.Throws<KeySourceException>(() => KeyLoader.Load(new KeySettings { Keystore = _keystore, MnemonicEnv = "M" }, Env(), null));
        Assert.Contains("keep one", both.Message);
        var neither = Assert.Throws<KeySourceException>(() => KeyLoader.Load(new KeySettings(), Env(), null));
        Assert.Contains("treasury wallet new", neither.Message);
    }
}
