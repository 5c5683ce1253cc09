using System.Numerics;
using CsCheck;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.Rlp;

namespace TreasuryManager.Ethereum.Tests;

public class RlpTests
{
    private static readonly Gen<RlpItem> Strings =
        Gen.OneOf(Gen.Byte.Array[0, 3], Gen.Byte.Array[50, 60], Gen.Byte.Array[0, 300], Gen.Byte.Array[1])
            .Select(b => (RlpItem)new RlpString(b));

    private static Gen<RlpItem> Items(int depth) => depth == 0
        ? Strings
        : Gen.Frequency((3, Strings), (1, Items(depth - 1).Array[0, 8].Select(items => (RlpItem)new RlpList(items))));

    [Fact]
    public void Encode_then_decode_round_trips() =>
        Items(4).Sample(item =>
        {
            var encoded = RlpCodec.Encode(item);
            return encoded.Length == RlpCodec.EncodedLength(item) && RlpCodec.Decode(encoded).Equals(item)
                && RlpCodec.Encode(RlpCodec.Decode(encoded)).AsSpan().SequenceEqual(encoded);
        }, iter: 500);

    [Fact]
    public void Integers_round_trip_minimally() =>
        Gen.Byte.Array[0, 40].Select(b => new BigInteger(b, isUnsigned: true, isBigEndian: true)).Sample(value =>
        {
            var item = RlpString.FromInteger(value);
            return (item.Bytes.Length == 0 || item.Bytes[0] != 0) && item.ToInteger() == value
                && ((RlpString)RlpCodec.Decode(RlpCodec.EncodeInteger(value))).ToInteger() == value;
        });

    [Theory]
    [InlineData(0, "0x80")]
    [InlineData(1, "0x01")]
    [InlineData(127, "0x7f")]
    [InlineData(128, "0x8180")]
    [InlineData(1024, "0x820400")]
    public void Integer_encodings(long value, string expected) => Assert.Equal(expected, Hex.Encode(RlpCodec.EncodeInteger(value)));

    [Fact]
    public void Integer_with_leading_zero_is_rejected()
    {
        var error = Assert.Throws<EthereumFormatException>(() => new RlpString([0, 1]).ToInteger("nonce"));
        Assert.Contains("nonce", error.Message, StringComparison.Ordinal);
        Assert.Contains("leading zero", error.Message, StringComparison.Ordinal);
        Assert.Throws<EthereumFormatException>(() => new RlpString([0]).ToInteger());
    }

    [Theory]
    [InlineData("0x8100", "0x81 prefix")]                 // single byte 0x00 written long
    [InlineData("0x817f", "0x81 prefix")]                 // single byte 0x7f written long
    [InlineData("0xb80100", "short form")]                // long-form string length 1 < 56
    [InlineData("0xb837", "short form")]                  // long-form length 55
    [InlineData("0xf801c0", "short form")]                // long-form list length 1
    [InlineData("0xb90038", "leading zero")]              // length 0x0038 has a leading zero
    [InlineData("0xf9003800", "leading zero")]
    [InlineData("0x830102", "truncated")]                 // string past the end
    [InlineData("0xb8", "past the end")]                  // length bytes past the end
    [InlineData("0xb9ffff", "truncated")]
    [InlineData("0xc30102", "truncated")]                 // list past the end
    [InlineData("0xc2830102", "truncated")]               // item past the end of its list
    [InlineData("0x8000", "trailing")]                    // trailing byte after the item
    [InlineData("0xc0c0", "trailing")]
    [InlineData("0x", "empty")]
    public void Non_canonical_or_malformed_input_is_rejected(string hex, string expectedText)
    {
        var error = Assert.Throws<EthereumFormatException>(() => RlpCodec.Decode(Hex.Decode(hex), "test input"));
        Assert.Contains("test input", error.Message, StringComparison.Ordinal);
        Assert.Contains(expectedText, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Canonical_boundaries_are_accepted()
    {
        Assert.Equal(new RlpString([0x80]), RlpCodec.Decode(Hex.Decode("0x8180")));
        Assert.Equal(new RlpString(new byte[55]), RlpCodec.Decode(Hex.Decode("0xb7" + new string('0', 110))));
        Assert.Equal(new RlpString(new byte[56]), RlpCodec.Decode(Hex.Decode("0xb838" + new string('0', 112))));
        Assert.Equal(new RlpList(), RlpCodec.Decode(Hex.Decode("0xc0")));
    }

    [Fact]
    public void Lists_and_strings_are_told_apart()
    {
        Assert.Throws<EthereumFormatException>(() => RlpCodec.Decode(Hex.Decode("0xc0")).AsString("field"));
        Assert.Throws<EthereumFormatException>(() => RlpCodec.Decode(Hex.Decode("0x80")).AsList("field"));
        Assert.Throws<EthereumFormatException>(() => RlpCodec.DecodeList(Hex.Decode("0x80")));
    }

    [Fact]
    public void Deep_nesting_is_bounded()
    {
        var depth = RlpCodec.MaxDepth + 10;
        RlpItem item = new RlpList();
        for (var i = 0; i < depth; i++) item = new RlpList(item);
        var error = Assert.Throws<EthereumFormatException>(() => RlpCodec.Decode(RlpCodec.Encode(item)));
        Assert.Contains("deep", error.Message, StringComparison.Ordinal);
    }
}
