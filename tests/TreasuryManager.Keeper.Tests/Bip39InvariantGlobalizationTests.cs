using TreasuryManager.Ethereum.Wallets;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// BIP-39 in the product's configuration (InvariantGlobalization, no ICU): NBitcoin normalises the password with its own
/// table of the wordlists' letters. What it covers derives the right seed; what it does not is refused with a clear
/// error, never a silently different wallet. (The Ethereum tests run the ethers.js vectors with ICU.)
/// </summary>
public class Bip39InvariantGlobalizationTests
{
    private const string Zeros12 = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

    [Fact]
    public void This_test_process_runs_with_invariant_globalization_like_the_keeper() =>
        Assert.True(AppContext.TryGetSwitch("System.Globalization.Invariant", out var invariant) && invariant);

    [Fact]
    public void Ascii_and_accented_passwords_give_their_nfkd_seed()
    {
        Assert.Equal("0xc55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04",
            Ethereum.Encoding.Hex.Encode(Bip39.MnemonicToSeed(Zeros12, "TREZOR")));
        Assert.Equal(Bip39.MnemonicToSeed(Zeros12, "cafe\u0301"), Bip39.MnemonicToSeed(Zeros12, "caf\u00e9"));
    }

    [Fact]
    public void A_password_the_table_cannot_normalise_is_refused_with_the_fix()
    {
        // Mathematical Fraktur letters: NFKD maps them to ASCII, which NBitcoin's table cannot do.
        var error = Assert.Throws<MnemonicException>(() => Bip39.MnemonicToSeed(Zeros12, "\U0001D50A\U0001D522\U0001D529"));
        Assert.Contains("InvariantGlobalization", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\U0001D50A", error.Message, StringComparison.Ordinal);
    }
}
