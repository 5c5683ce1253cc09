using System.Text.Json;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.Wallets;

namespace TreasuryManager.Ethereum.Tests.Vectors;

/// <summary>ethers.js wallet vectors: every keystore case decrypts with its password to its address.</summary>
public class WalletVectorTests
{
    private static readonly JsonElement[] Wallets = VectorFile.Load("wallets.json.gz");

    public static TheoryData<int, string> KeystoreCases
    {
        get
        {
            var data = new TheoryData<int, string>();
            for (var i = 0; i < Wallets.Length; i++)
                if (Wallets[i].Str("type") == "keystore") data.Add(i, Wallets[i].Str("name"));
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(KeystoreCases))]
    public void Keystore_decrypts_to_its_address(int index, string name)
    {
        _ = name;
        var c = Wallets[index];
        var password = System.Text.Encoding.UTF8.GetString(Hex.Decode(c.Str("password")));
        EthKey key = Keystore.Decrypt(c.Str("content"), password);
        Assert.Equal(c.Str("address"), key.Address.ToString());
        if (c.TryGetProperty("privateKey", out var privateKey))
            Assert.Equal(privateKey.GetString(), Hex.Encode(key.PrivateKeyBytes));
        Assert.Throws<WrongPasswordException>(() => Keystore.Decrypt(c.Str("content"), password + "x"));
    }

    /// <summary>
    /// "crowdsale" cases are the 2014 Ethereum pre-sale wallet format (encseed/ethaddr/btcaddr, a
    /// PBKDF2 + AES-CBC scheme), not Web3 Secret Storage; this layer does not read them.
    /// </summary>
    [Fact]
    public void Non_keystore_cases_are_only_crowdsale_wallets_which_are_out_of_scope()
    {
        var others = Wallets.Where(w => w.Str("type") != "keystore").ToArray();
        Assert.All(others, w => Assert.Equal("crowdsale", w.Str("type")));
        Assert.Equal(Wallets.Length - KeystoreCases.Count, others.Length);
        Assert.NotEmpty(KeystoreCases);
        foreach (var w in others)
            Assert.Throws<KeystoreException>(() => Keystore.Decrypt(w.Str("content"), ""));
    }
}
