using System.Security.Cryptography;
using System.Text;

namespace TreasuryManager.Ethereum.Wallets;

/// <summary>
/// BIP-39 mnemonics with the English wordlist: entropy ↔ phrase (with checksum) and phrase → seed
/// (PBKDF2-HMAC-SHA512, 2048 rounds, salt "mnemonic" + password, both NFKD). Other languages'
/// wordlists are not supported. No error message includes the phrase, its words or the password.
/// </summary>
public static class Bip39
{
    public const string UnsupportedWordlistMessage = "unsupported wordlist: only English BIP-39 mnemonics are supported.";

    private static readonly int[] ValidWordCounts = [12, 15, 18, 21, 24];

    /// <summary>The phrase for 16, 20, 24, 28 or 32 bytes of entropy (12 to 24 words).</summary>
    public static string EntropyToMnemonic(ReadOnlySpan<byte> entropy)
    {
        if (entropy.Length is < 16 or > 32 || entropy.Length % 4 != 0)
            throw new ArgumentException($"BIP-39 entropy is 16, 20, 24, 28 or 32 bytes, but {entropy.Length} were given.", nameof(entropy));
        var checksumBits = entropy.Length / 4;
        var hash = SHA256.HashData(entropy);
        var wordCount = (entropy.Length * 8 + checksumBits) / 11;
        var words = new string[wordCount];
        for (var w = 0; w < wordCount; w++)
        {
            var index = 0;
            for (var b = 0; b < 11; b++)
            {
                var bit = w * 11 + b;
                var source = bit < entropy.Length * 8 ? entropy[bit / 8] : hash[(bit - entropy.Length * 8) / 8];
                var bitInByte = bit < entropy.Length * 8 ? bit % 8 : (bit - entropy.Length * 8) % 8;
                index = (index << 1) | ((source >> (7 - bitInByte)) & 1);
            }
            words[w] = EnglishWordlist.Word(index);
        }
        return string.Join(' ', words);
    }

    /// <summary>The entropy of a phrase; validates the words, their count and the checksum.</summary>
    public static byte[] MnemonicToEntropy(string phrase)
    {
        var indices = WordIndices(phrase);
        var totalBits = indices.Length * 11;
        var checksumBits = totalBits / 33;
        var entropyBytes = (totalBits - checksumBits) / 8;
        var bits = new byte[(totalBits + 7) / 8];
        for (var w = 0; w < indices.Length; w++)
            for (var b = 0; b < 11; b++)
                if (((indices[w] >> (10 - b)) & 1) != 0)
                {
                    var bit = w * 11 + b;
                    bits[bit / 8] |= (byte)(0x80 >> (bit % 8));
                }
        var entropy = bits[..entropyBytes];
        var hash = SHA256.HashData(entropy);
        for (var i = 0; i < checksumBits; i++)
        {
            var expected = (hash[i / 8] >> (7 - i % 8)) & 1;
            var bit = entropyBytes * 8 + i;
            var actual = (bits[bit / 8] >> (7 - bit % 8)) & 1;
            if (expected != actual)
            {
                CryptographicOperations.ZeroMemory(entropy);
                throw new MnemonicException("invalid mnemonic checksum: the words are all in the English BIP-39 list but the last word does not match the others; check the order and spelling of every word.");
            }
        }
        return entropy;
    }

    /// <summary>Whether the phrase is a valid English BIP-39 mnemonic (words, count and checksum).</summary>
    public static bool IsValid(string phrase)
    {
        try { CryptographicOperations.ZeroMemory(MnemonicToEntropy(phrase)); return true; }
        catch (MnemonicException) { return false; }
    }

    /// <summary>
    /// The 64-byte seed. The phrase is validated first (so a typo cannot silently give another wallet)
    /// and used in its canonical form: NFKD, lower case, single spaces.
    /// </summary>
    public static byte[] MnemonicToSeed(string phrase, string password = "")
    {
        ArgumentNullException.ThrowIfNull(password);
        CryptographicOperations.ZeroMemory(MnemonicToEntropy(phrase));
        var canonical = string.Join(' ', SplitWords(phrase));
        var phraseBytes = System.Text.Encoding.UTF8.GetBytes(canonical);
        var salt = System.Text.Encoding.UTF8.GetBytes("mnemonic" + UnicodeNfkd.Normalize(password));
        try { return Rfc2898DeriveBytes.Pbkdf2(phraseBytes, salt, 2048, HashAlgorithmName.SHA512, 64); }
        finally { CryptographicOperations.ZeroMemory(phraseBytes); CryptographicOperations.ZeroMemory(salt); }
    }

    /// <summary>A new random phrase of 12, 15, 18, 21 or 24 words.</summary>
    public static string Generate(int wordCount = 12)
    {
        if (Array.IndexOf(ValidWordCounts, wordCount) < 0)
            throw new ArgumentOutOfRangeException(nameof(wordCount), wordCount, "A BIP-39 mnemonic has 12, 15, 18, 21 or 24 words.");
        var entropy = RandomNumberGenerator.GetBytes(wordCount * 11 * 32 / 33 / 8);
        try { return EntropyToMnemonic(entropy); }
        finally { CryptographicOperations.ZeroMemory(entropy); }
    }

    private static string[] SplitWords(string phrase)
    {
        ArgumentNullException.ThrowIfNull(phrase);
        return UnicodeNfkd.Normalize(phrase).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.ToLowerInvariant()).ToArray();
    }

    private static int[] WordIndices(string phrase)
    {
        var words = SplitWords(phrase);
        if (words.Length == 0) throw new MnemonicException("The mnemonic is empty; give 12, 15, 18, 21 or 24 English BIP-39 words separated by spaces.");
        var indices = new int[words.Length];
        var unknown = new List<int>();
        var nonAscii = false;
        for (var i = 0; i < words.Length; i++)
        {
            if (!EnglishWordlist.TryGetIndex(words[i], out indices[i])) unknown.Add(i + 1);
            if (!Ascii.IsValid(words[i])) nonAscii = true;
        }
        // Mostly unknown words, or letters outside ASCII: a mnemonic in another language.
        if (nonAscii || unknown.Count * 2 > words.Length) throw new MnemonicException(UnsupportedWordlistMessage);
        if (unknown.Count > 0)
            throw new MnemonicException(
                $"{(unknown.Count == 1 ? "word" : "words")} #{string.Join(", #", unknown)} (of {words.Length}) {(unknown.Count == 1 ? "is" : "are")} not in the English BIP-39 wordlist; check the spelling (only English BIP-39 mnemonics are supported).");
        if (Array.IndexOf(ValidWordCounts, words.Length) < 0)
            throw new MnemonicException($"The mnemonic has {words.Length} words; a BIP-39 mnemonic has 12, 15, 18, 21 or 24.");
        return indices;
    }
}
