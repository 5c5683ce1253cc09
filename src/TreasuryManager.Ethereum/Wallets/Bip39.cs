using System.Security.Cryptography;
using System.Text;
using NBitcoin;

namespace TreasuryManager.Ethereum.Wallets;

/// <summary>
/// BIP-39 mnemonics with the English wordlist, on NBitcoin (its wordlist, checksum, NFKD and PBKDF2-HMAC-SHA512
/// seed): entropy ↔ phrase and phrase → seed. This class adds the checks NBitcoin leaves to the caller (the phrase
/// is English, every word known, the count and checksum right) with errors that name what is wrong. Other languages'
/// wordlists are refused. No error message includes the phrase, its words or the password.
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
        var copy = entropy.ToArray();
        try { return new Mnemonic(Wordlist.English, copy).ToString(); }
        finally { CryptographicOperations.ZeroMemory(copy); }
    }

    /// <summary>The entropy of a phrase; validates the words, their count and the checksum.</summary>
    public static byte[] MnemonicToEntropy(string phrase)
    {
        var indices = Parse(phrase).Indices;
        // The 11-bit word indices, concatenated, are the entropy followed by its checksum (checked by Parse).
        var entropy = new byte[indices.Length * 11 * 32 / 33 / 8];
        for (var bit = 0; bit < entropy.Length * 8; bit++)
            if (((indices[bit / 11] >> (10 - bit % 11)) & 1) != 0) entropy[bit / 8] |= (byte)(0x80 >> (bit % 8));
        return entropy;
    }

    /// <summary>Whether the phrase is a valid English BIP-39 mnemonic (words, count and checksum).</summary>
    public static bool IsValid(string phrase)
    {
        try { Parse(phrase); return true; }
        catch (MnemonicException) { return false; }
    }

    /// <summary>
    /// The 64-byte seed. The phrase is validated first (so a typo cannot silently give another wallet) and used in
    /// its canonical form (NFKD, lower case, single spaces); the password is NFKD-normalised by NBitcoin.
    /// </summary>
    public static byte[] MnemonicToSeed(string phrase, string password = "")
    {
        ArgumentNullException.ThrowIfNull(password);
        var mnemonic = Parse(phrase);
        try { return mnemonic.DeriveSeed(password); }
        catch (PlatformNotSupportedException)
        {
            // With InvariantGlobalization .NET has no Unicode tables and NBitcoin's own NFKD table covers only the
            // characters of the BIP-39 wordlists: normalising another password could only be guessed, so refuse it.
            throw new MnemonicException("The BIP-39 password has characters that cannot be NFKD-normalised in this process (it runs with InvariantGlobalization, and "
                + "NBitcoin's own table covers only the BIP-39 wordlists' letters); use a password of ASCII or common accented letters, or run the "
                + "program with InvariantGlobalization=false and ICU installed (libicu).");
        }
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

    /// <summary>The checked mnemonic: English words only, a BIP-39 word count and a valid checksum.</summary>
    private static Mnemonic Parse(string phrase)
    {
        ArgumentNullException.ThrowIfNull(phrase);
        var words = phrase.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(w => w.ToLowerInvariant()).ToArray();
        if (words.Length == 0) throw new MnemonicException("The mnemonic is empty; give 12, 15, 18, 21 or 24 English BIP-39 words separated by spaces.");
        var unknown = new List<int>();
        var nonAscii = false;
        for (var i = 0; i < words.Length; i++)
        {
            if (!Wordlist.English.WordExists(words[i], out _)) unknown.Add(i + 1);
            if (!Ascii.IsValid(words[i])) nonAscii = true;
        }
        // Mostly unknown words, or letters outside ASCII: a mnemonic in another language.
        if (nonAscii || unknown.Count * 2 > words.Length) throw new MnemonicException(UnsupportedWordlistMessage);
        if (unknown.Count > 0)
            throw new MnemonicException(
                $"{(unknown.Count == 1 ? "word" : "words")} #{string.Join(", #", unknown)} (of {words.Length}) {(unknown.Count == 1 ? "is" : "are")} not in the English BIP-39 wordlist; check the spelling (only English BIP-39 mnemonics are supported).");
        if (Array.IndexOf(ValidWordCounts, words.Length) < 0)
            throw new MnemonicException($"The mnemonic has {words.Length} words; a BIP-39 mnemonic has 12, 15, 18, 21 or 24.");
        var mnemonic = new Mnemonic(string.Join(' ', words), Wordlist.English);
        if (!mnemonic.IsValidChecksum)
            throw new MnemonicException("invalid mnemonic checksum: the words are all in the English BIP-39 list but the last word does not match the others; check the order and spelling of every word.");
        return mnemonic;
    }
}
