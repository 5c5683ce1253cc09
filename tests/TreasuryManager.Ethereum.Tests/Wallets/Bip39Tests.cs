using System.Security.Cryptography;
using CsCheck;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.Wallets;

namespace TreasuryManager.Ethereum.Tests.Wallets;

public class Bip39Tests
{
    private const string Zeros12 = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

    [Fact]
    public void NBitcoins_wordlist_is_the_official_english_list()
    {
        Assert.Equal(2048, NBitcoin.Wordlist.English.WordCount);
        var words = Enumerable.Range(0, 2048).Select(NBitcoin.Wordlist.English.GetWordAtIndex).ToArray();
        Assert.Equal("abandon", words[0]);
        Assert.Equal("zoo", words[^1]);
        var file = System.Text.Encoding.ASCII.GetBytes(string.Concat(words.Select(w => w + "\n")));
        Assert.Equal("2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda", Convert.ToHexStringLower(SHA256.HashData(file)));
    }

    [Fact]
    public void Trezor_reference_vector()
    {
        Assert.Equal(Zeros12, Bip39.EntropyToMnemonic(new byte[16]));
        Assert.Equal(new byte[16], Bip39.MnemonicToEntropy(Zeros12));
        Assert.Equal("0xc55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04",
            Hex.Encode(Bip39.MnemonicToSeed(Zeros12, "TREZOR")));
    }

    [Fact]
    public void Extra_whitespace_and_upper_case_give_the_canonical_phrase_seed()
    {
        var messy = "  ABANDON abandon\tabandon abandon abandon abandon abandon abandon abandon abandon abandon  About \n";
        Assert.Equal(Bip39.MnemonicToSeed(Zeros12), Bip39.MnemonicToSeed(messy));
    }

    [Fact]
    public void Bad_checksum_is_reported_as_such()
    {
        var phrase = string.Join(' ', Enumerable.Repeat("abandon", 12));
        var error = Assert.Throws<MnemonicException>(() => Bip39.MnemonicToEntropy(phrase));
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("abandon", error.Message, StringComparison.Ordinal);
        Assert.False(Bip39.IsValid(phrase));
        Assert.Throws<MnemonicException>(() => Bip39.MnemonicToSeed(phrase));
        Assert.Throws<MnemonicException>(() => HdWallet.FromMnemonic(phrase));
    }

    [Fact]
    public void A_misspelt_english_word_is_named_by_position_not_by_text()
    {
        var phrase = Zeros12.Replace(" about", " abuot", StringComparison.Ordinal);
        var error = Assert.Throws<MnemonicException>(() => Bip39.MnemonicToEntropy(phrase));
        Assert.Contains("#12", error.Message, StringComparison.Ordinal);
        Assert.Contains("not in the English BIP-39 wordlist", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("abuot", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")]
    [InlineData("abandon")]
    public void Wrong_word_count_is_reported(string phrase)
    {
        var error = Assert.Throws<MnemonicException>(() => Bip39.MnemonicToEntropy(phrase));
        Assert.Contains("12, 15, 18, 21 or 24", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_phrase_is_reported(string phrase) =>
        Assert.Contains("empty", Assert.Throws<MnemonicException>(() => Bip39.MnemonicToEntropy(phrase)).Message, StringComparison.Ordinal);

    [Fact]
    public void Non_english_words_give_the_unsupported_wordlist_error()
    {
        const string spanish = "ábaco ábaco ábaco ábaco ábaco ábaco ábaco ábaco ábaco ábaco ábaco abierto";
        Assert.Equal(Bip39.UnsupportedWordlistMessage, Assert.Throws<MnemonicException>(() => Bip39.MnemonicToEntropy(spanish)).Message);
        const string japanese = "あいこくしん　あいこくしん　あいこくしん　あいこくしん　あいこくしん　あいこくしん　あいこくしん　あいこくしん　あいこくしん　あいこくしん　あいこくしん　あおぞら";
        Assert.Equal(Bip39.UnsupportedWordlistMessage, Assert.Throws<MnemonicException>(() => Bip39.MnemonicToEntropy(japanese)).Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(36)]
    public void Entropy_of_a_wrong_length_is_refused(int length) =>
        Assert.Throws<ArgumentException>(() => Bip39.EntropyToMnemonic(new byte[length]));

    [Theory]
    [InlineData(12)]
    [InlineData(15)]
    [InlineData(18)]
    [InlineData(21)]
    [InlineData(24)]
    public void Generated_phrases_are_valid(int words)
    {
        var phrase = Bip39.Generate(words);
        Assert.Equal(words, phrase.Split(' ').Length);
        Assert.True(Bip39.IsValid(phrase));
        Assert.Equal(phrase, Bip39.EntropyToMnemonic(Bip39.MnemonicToEntropy(phrase)));
    }

    [Fact]
    public void Full_width_and_accented_letters_are_not_english_words()
    {
        // NBitcoin would NFKD-normalise these to ASCII words; this layer refuses anything but the plain English list.
        Assert.Equal(Bip39.UnsupportedWordlistMessage, Assert.Throws<MnemonicException>(() => Bip39.MnemonicToEntropy(Zeros12.Replace("about", "\uff41bout", StringComparison.Ordinal))).Message);
    }

    [Fact]
    public void A_non_ascii_password_is_nfkd_normalised_before_the_seed()
    {
        // "é" precomposed (U+00E9) and decomposed (e + U+0301) are one password under BIP-39 (NFKD), even with InvariantGlobalization.
        Assert.Equal(Bip39.MnemonicToSeed(Zeros12, "caf\u00e9"), Bip39.MnemonicToSeed(Zeros12, "cafe\u0301"));
        Assert.NotEqual(Bip39.MnemonicToSeed(Zeros12, "cafe"), Bip39.MnemonicToSeed(Zeros12, "caf\u00e9"));
    }

    [Fact]
    public void Entropy_round_trips_for_random_inputs() =>
        Gen.Select(Gen.Int[4, 8], Gen.Byte.Array[32], (n, bytes) => bytes[..(n * 4)]).Sample(entropy =>
            Bip39.MnemonicToEntropy(Bip39.EntropyToMnemonic(entropy)).AsSpan().SequenceEqual(entropy));
}
