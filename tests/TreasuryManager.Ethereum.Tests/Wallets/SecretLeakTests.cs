using System.Text.Json.Nodes;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Wallets;

namespace TreasuryManager.Ethereum.Tests.Wallets;

/// <summary>
/// Captures every message and ToString that key-bearing types and wallet errors produce and checks
/// that no private key, xpriv, mnemonic or password appears in them.
/// </summary>
public class SecretLeakTests
{
    private const string Phrase = "test test test test test test test test test test test junk";
    private const string Password = "s3cret-Pa55";

    [Fact]
    public void Messages_and_ToString_never_reveal_keys_phrases_or_passwords()
    {
        var wallet = HdWallet.FromMnemonic(Phrase, Password);
        var node = wallet.GetAccountNode(0);
        var key = wallet.GetAccount(0);
        var secrets = new List<string> { Phrase, Password, node.ToExtendedPrivateKey(), wallet.Root.ToExtendedPrivateKey() };
        foreach (var k in new[] { node.PrivateKeyBytes.ToArray(), wallet.Root.PrivateKeyBytes.ToArray() })
        {
            secrets.Add(Convert.ToHexStringLower(k));
            secrets.Add(Convert.ToHexString(k));
            secrets.Add(Convert.ToBase64String(k));
        }

        var texts = new List<string> { wallet.ToString(), node.ToString(), wallet.Root.ToString(), key.ToString() };
        var keystore = Keystore.Encrypt(key, Password, new KeystoreKdf.Scrypt(1024, 8, 1));
        texts.Add(Capture(() => Keystore.Decrypt(keystore, Password + "!")));
        texts.Add(Capture(() => Keystore.Decrypt(keystore, Password[..^1])));
        var mismatch = JsonNode.Parse(keystore)!;
        mismatch["address"] = "70997970c51812dc3a010c7d01b50e0d17dc79c8";
        texts.Add(Capture(() => Keystore.Decrypt(mismatch.ToJsonString(), Password)));
        var badCipher = JsonNode.Parse(keystore)!;
        badCipher["crypto"]!["cipher"] = "aes-256-gcm";
        texts.Add(Capture(() => Keystore.Decrypt(badCipher.ToJsonString(), Password)));
        texts.Add(Capture(() => Keystore.Decrypt("{not json " + Password, Password)));
        texts.Add(Capture(() => Bip39.MnemonicToEntropy(Phrase.Replace("junk", "test", StringComparison.Ordinal))));      // checksum
        texts.Add(Capture(() => Bip39.MnemonicToEntropy(Phrase.Replace("junk", "junq", StringComparison.Ordinal))));      // unknown word
        texts.Add(Capture(() => Bip39.MnemonicToEntropy(Phrase + " test")));                                             // count
        texts.Add(Capture(() => HdWallet.FromMnemonic(Phrase.Replace("junk", "test", StringComparison.Ordinal), Password)));
        texts.Add(Capture(() => HdNode.FromExtendedPrivateKey(node.ToExtendedPrivateKey()[..^2] + "zz")));
        texts.Add(Capture(() => HdNode.FromExtendedPrivateKey(node.ToExtendedPrivateKey() + "0")));
        texts.Add(Capture(() => EthKey.FromHex(Convert.ToHexStringLower(node.PrivateKeyBytes) + "0")));
        texts.Add(Capture(() => node.Derive("m/0")));

        foreach (var text in texts)
            foreach (var secret in secrets)
                Assert.False(text.Contains(secret, StringComparison.OrdinalIgnoreCase), $"A wallet message or ToString leaks a secret: {text}");
        // the junk/junq/test words themselves
        Assert.All(texts, t => Assert.DoesNotContain("junq", t, StringComparison.Ordinal));
    }

    private static string Capture(Action action)
    {
        var error = Record.Exception(action);
        Assert.NotNull(error);
        return error.ToString();
    }
}
