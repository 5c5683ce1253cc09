using System.Numerics;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Tests.Parsing;

/// <summary>Malformed hex, wrong-length addresses, bad checksums and bad amounts: one clear error naming the input.</summary>
public sealed class BadInputTests
{
    private const string Checksummed = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

    [Fact]
    public void Hex_with_an_odd_digit_count_names_the_input_and_the_fix()
    {
        var error = Assert.Throws<EthereumFormatException>(() => Hex.Decode("0xabc", "call data"));
        Assert.Contains("call data '0xabc'", error.Message);
        Assert.Contains("odd number of hex digits", error.Message);
    }

    [Fact]
    public void Hex_with_a_non_hex_character_names_it_and_its_position()
    {
        var error = Assert.Throws<EthereumFormatException>(() => Hex.Decode("0x12zz"));
        Assert.Contains("'z'", error.Message);
        Assert.Contains("position 4", error.Message);
    }

    [Theory]
    [InlineData("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb9226", "39 hex digits")]
    [InlineData("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb922660", "41 hex digits")]
    [InlineData("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "lacks the 0x prefix")]
    [InlineData("0xg39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "non-hex character 'g'")]
    [InlineData("", "is empty")]
    public void Malformed_addresses_are_rejected_with_the_reason(string text, string reason)
    {
        var error = Assert.Throws<EthereumFormatException>(() => Address.Parse(text, "recipient"));
        Assert.StartsWith("recipient '", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_mixed_case_address_with_a_wrong_checksum_is_rejected_and_lower_case_is_accepted()
    {
        // Flip the case of one letter: still mixed case, no longer the EIP-55 checksum.
        var typo = Checksummed.Replace("Fd6e", "fd6e", StringComparison.Ordinal);
        var error = Assert.Throws<EthereumFormatException>(() => Address.Parse(typo));
        Assert.Contains("bad EIP-55 checksum", error.Message);
        Assert.Equal(Checksummed, Address.Parse(Checksummed.ToLowerInvariant()).ToString());
        Assert.Equal(Checksummed, Address.Parse("0x" + Checksummed[2..].ToUpperInvariant()).ToString());
    }

    [Theory]
    [InlineData("1.0000001", 6, "7 decimal places")]
    [InlineData("1,5", 6, "not a decimal number")]
    [InlineData("", 18, "not a decimal number")]
    public void Amounts_that_do_not_fit_their_unit_are_errors_not_roundings(string text, int decimals, string reason)
    {
        var error = Assert.Throws<EthereumFormatException>(() => Units.Parse(text, decimals, "deposit"));
        Assert.Contains("deposit '", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Units_parse_and_format_exactly()
    {
        Assert.Equal(BigInteger.Parse("1500000000000000000", System.Globalization.CultureInfo.InvariantCulture), Units.ParseEther("1.5"));
        Assert.Equal("1.5", Units.FormatEther(Units.ParseEther("1.5")));
        Assert.Equal("0.000001", Units.Format(1, 6));
    }

    [Theory]
    [InlineData("0x")]
    [InlineData("12")]
    [InlineData("0x1g")]
    public void Malformed_quantities_are_rejected(string text)
    {
        Assert.Throws<EthereumFormatException>(() => Quantity.Decode(text));
    }

    [Fact]
    public void A_malformed_private_key_error_does_not_echo_the_text()
    {
        const string secretLooking = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f36231z";
        var error = Assert.Throws<EthereumFormatException>(() => EthKey.FromHex(secretLooking));
        Assert.DoesNotContain("4c0883a6", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("64 hex digits", error.Message);
    }
}
