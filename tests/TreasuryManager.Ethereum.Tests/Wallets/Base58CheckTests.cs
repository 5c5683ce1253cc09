using CsCheck;
using TreasuryManager.Ethereum.Wallets;

namespace TreasuryManager.Ethereum.Tests.Wallets;

public class Base58CheckTests
{
    [Fact]
    public void Round_trips_including_leading_zero_bytes() =>
        Gen.Select(Gen.Int[0, 4], Gen.Byte.Array[0, 40], (zeros, body) => new byte[zeros].Concat(body).ToArray())
            .Sample(payload => Base58Check.Decode(Base58Check.Encode(payload)).AsSpan().SequenceEqual(payload));

    [Fact]
    public void Known_value() =>
        // Bitcoin address of HASH160 0x00…00 with version byte 0.
        Assert.Equal("1111111111111111111114oLvT2", Base58Check.Encode(new byte[21]));

    [Theory]
    [InlineData("1111111111111111111114oLvT3")]
    [InlineData("0OIl")]
    [InlineData("1")]
    public void Bad_input_is_refused(string text) => Assert.Throws<FormatException>(() => Base58Check.Decode(text));
}
