using System.Text.Json;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.Wallets;

namespace TreasuryManager.Ethereum.Tests.Vectors;

/// <summary>
/// ethers.js BIP-39/BIP-32 vectors: English cases round-trip entropy, phrase and seed and derive every
/// node; other locales must be refused with the "unsupported wordlist" error.
/// </summary>
public class MnemonicVectorTests
{
    private static readonly JsonElement[] Mnemonics = VectorFile.Load("mnemonics.json.gz");

    public static TheoryData<int, string> EnglishCases => Filter(english: true);
    public static TheoryData<int, string> OtherLocaleCases => Filter(english: false);

    private static TheoryData<int, string> Filter(bool english)
    {
        var data = new TheoryData<int, string>();
        for (var i = 0; i < Mnemonics.Length; i++)
            if ((Mnemonics[i].Str("locale") == "en") == english) data.Add(i, Mnemonics[i].Str("name"));
        return data;
    }

    private static string Utf8(string hex) => System.Text.Encoding.UTF8.GetString(Hex.Decode(hex));

    [Theory]
    [MemberData(nameof(EnglishCases))]
    public void English_phrase_entropy_and_seed(int index, string name)
    {
        _ = name;
        var c = Mnemonics[index];
        var phrase = Utf8(c.Str("phrase"));
        Assert.Equal(c.Str("entropy"), Hex.Encode(Bip39.MnemonicToEntropy(phrase)));
        Assert.Equal(phrase, Bip39.EntropyToMnemonic(Hex.Decode(c.Str("entropy"))));
        Assert.True(Bip39.IsValid(phrase));
        Assert.Equal(c.Str("seed"), Hex.Encode(Bip39.MnemonicToSeed(phrase, Utf8(c.Str("password")))));
    }

    [Theory]
    [MemberData(nameof(EnglishCases))]
    public void English_nodes_derive(int index, string name)
    {
        _ = name;
        var c = Mnemonics[index];
        var master = HdNode.FromSeed(Hex.Decode(c.Str("seed")));
        Assert.Equal(master.ToExtendedPrivateKey(), HdNode.FromMnemonic(Utf8(c.Str("phrase")), Utf8(c.Str("password"))).ToExtendedPrivateKey());
        foreach (var n in c.GetProperty("nodes").EnumerateArray())
        {
            var path = n.Str("path");
            var node = master.Derive(path);
            Assert.Equal(n.Str("chainCode"), Hex.Encode(node.ChainCode));
            Assert.Equal(n.GetProperty("depth").GetInt32(), node.Depth);
            Assert.Equal(n.GetProperty("index").GetUInt32(), node.Index);
            Assert.Equal(n.Str("parentFingerprint"), Hex.Encode(BigEndian32(node.ParentFingerprint)));
            Assert.Equal(n.Str("fingerprint"), Hex.Encode(BigEndian32(node.Fingerprint)));
            Assert.Equal(n.Str("publicKey"), Hex.Encode(node.PublicKey));
            Assert.Equal(n.Str("privateKey"), Hex.Encode(node.PrivateKeyBytes));
            Assert.Equal(n.Str("xpriv"), node.ToExtendedPrivateKey());
            Assert.Equal(n.Str("xpub"), node.ToExtendedPublicKey());
            Assert.Equal(EthKey.FromHex(n.Str("privateKey")).Address, node.Address);
            if (n.TryGetProperty("address", out var address)) Assert.Equal(address.GetString(), node.Address.ToString());
            Assert.Equal(HdPath.Parse(path).ToString(), node.Path);
            var parsed = HdNode.FromExtendedPrivateKey(n.Str("xpriv"));
            Assert.Equal(node.ToExtendedPublicKey(), parsed.ToExtendedPublicKey());
            Assert.Equal(node.Address, parsed.Address);
        }
    }

    [Theory]
    [MemberData(nameof(OtherLocaleCases))]
    public void Other_locales_are_refused_as_unsupported(int index, string name)
    {
        _ = name;
        var c = Mnemonics[index];
        var phrase = Utf8(c.Str("phrase"));
        var error = Assert.Throws<MnemonicException>(() => Bip39.MnemonicToEntropy(phrase));
        Assert.Equal(Bip39.UnsupportedWordlistMessage, error.Message);
        Assert.Equal(Bip39.UnsupportedWordlistMessage, Assert.Throws<MnemonicException>(() => Bip39.MnemonicToSeed(phrase, Utf8(c.Str("password")))).Message);
        Assert.Equal(Bip39.UnsupportedWordlistMessage, Assert.Throws<MnemonicException>(() => HdWallet.FromMnemonic(phrase)).Message);
        Assert.False(Bip39.IsValid(phrase));
        foreach (var word in phrase.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            Assert.DoesNotContain(word, error.Message.Replace(Bip39.UnsupportedWordlistMessage, "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void The_file_has_english_and_other_locale_cases()
    {
        Assert.NotEmpty(EnglishCases);
        Assert.NotEmpty(OtherLocaleCases);
    }

    private static byte[] BigEndian32(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];
}
