using System.Numerics;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Tests.Abi;

public class AbiCodecTests
{
    private static string Words(params string[] words) => string.Concat(words);

    // The examples of the Solidity ABI specification.
    [Fact]
    public void Encodes_the_spec_example_sam()
    {
        var f = new AbiFunction("sam", [new("", AbiType.Bytes), new("", AbiType.Bool), new("", AbiType.Parse("uint256[]"))], []);
        Assert.Equal("0xa5643bf2", f.SelectorHex);
        var data = f.EncodeCall(System.Text.Encoding.ASCII.GetBytes("dave"), true, new BigInteger[] { 1, 2, 3 });
        Assert.Equal("0xa5643bf2" + Words(
            "0000000000000000000000000000000000000000000000000000000000000060",
            "0000000000000000000000000000000000000000000000000000000000000001",
            "00000000000000000000000000000000000000000000000000000000000000a0",
            "0000000000000000000000000000000000000000000000000000000000000004",
            "6461766500000000000000000000000000000000000000000000000000000000",
            "0000000000000000000000000000000000000000000000000000000000000003",
            "0000000000000000000000000000000000000000000000000000000000000001",
            "0000000000000000000000000000000000000000000000000000000000000002",
            "0000000000000000000000000000000000000000000000000000000000000003"), Hex.Encode(data));
        var back = f.DecodeCall(data);
        Assert.Equal("dave"u8.ToArray(), (byte[])back[0]!);
        Assert.True((bool)back[1]!);
        Assert.Equal(new object?[] { new BigInteger(1), new BigInteger(2), new BigInteger(3) }, back[2]);
    }

    [Fact]
    public void Encodes_the_spec_example_f()
    {
        var f = new AbiFunction("f", [new("", AbiType.UInt256), new("", AbiType.Parse("uint32[]")), new("", AbiType.FixedBytes(10)), new("", AbiType.Bytes)], []);
        Assert.Equal("0x8be65246", f.SelectorHex);
        var data = f.EncodeCall(0x123, new[] { 0x456, 0x789 }, "1234567890"u8.ToArray(), "Hello, world!"u8.ToArray());
        Assert.Equal("0x8be65246" + Words(
            "0000000000000000000000000000000000000000000000000000000000000123",
            "0000000000000000000000000000000000000000000000000000000000000080",
            "3132333435363738393000000000000000000000000000000000000000000000",
            "00000000000000000000000000000000000000000000000000000000000000e0",
            "0000000000000000000000000000000000000000000000000000000000000002",
            "0000000000000000000000000000000000000000000000000000000000000456",
            "0000000000000000000000000000000000000000000000000000000000000789",
            "000000000000000000000000000000000000000000000000000000000000000d",
            "48656c6c6f2c20776f726c642100000000000000000000000000000000000000"), Hex.Encode(data));
    }

    [Fact]
    public void Encodes_the_spec_example_g_with_nested_dynamic_arrays()
    {
        var f = new AbiFunction("g", [new("", AbiType.Parse("uint256[][]")), new("", AbiType.Parse("string[]"))], []);
        Assert.Equal("0x2289b18c", f.SelectorHex);
        var data = f.EncodeCall(new[] { new[] { 1, 2 }, new[] { 3 } }, new[] { "one", "two", "three" });
        Assert.Equal("0x2289b18c" + Words(
            "0000000000000000000000000000000000000000000000000000000000000040",
            "0000000000000000000000000000000000000000000000000000000000000140",
            "0000000000000000000000000000000000000000000000000000000000000002",
            "0000000000000000000000000000000000000000000000000000000000000040",
            "00000000000000000000000000000000000000000000000000000000000000a0",
            "0000000000000000000000000000000000000000000000000000000000000002",
            "0000000000000000000000000000000000000000000000000000000000000001",
            "0000000000000000000000000000000000000000000000000000000000000002",
            "0000000000000000000000000000000000000000000000000000000000000001",
            "0000000000000000000000000000000000000000000000000000000000000003",
            "0000000000000000000000000000000000000000000000000000000000000003",
            "0000000000000000000000000000000000000000000000000000000000000060",
            "00000000000000000000000000000000000000000000000000000000000000a0",
            "00000000000000000000000000000000000000000000000000000000000000e0",
            "0000000000000000000000000000000000000000000000000000000000000003",
            "6f6e650000000000000000000000000000000000000000000000000000000000",
            "0000000000000000000000000000000000000000000000000000000000000003",
            "74776f0000000000000000000000000000000000000000000000000000000000",
            "0000000000000000000000000000000000000000000000000000000000000005",
            "7468726565000000000000000000000000000000000000000000000000000000"), Hex.Encode(data));
        var back = f.DecodeCall(data);
        Assert.Equal(new object?[] { "one", "two", "three" }, back[1]);
    }

    [Fact]
    public void Accepts_the_documented_input_forms()
    {
        var types = new[] { AbiType.Parse("uint64"), AbiType.Parse("int128"), AbiType.Parse("uint256"), AbiType.Address, AbiType.Parse("(uint8,string)"), AbiType.Parse("bytes4") };
        var a = AbiEncoder.Encode(types, [42UL, (Int128)(-5), UInt128.MaxValue, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", (7, "x"), new ReadOnlyMemory<byte>([1, 2, 3, 4])]);
        var b = AbiEncoder.Encode(types, [new BigInteger(42), new BigInteger(-5), (BigInteger)UInt128.MaxValue, Address.Parse("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"), new object?[] { 7, "x" }, new byte[] { 1, 2, 3, 4 }]);
        Assert.Equal(Hex.Encode(b), Hex.Encode(a));
        var named = AbiType.Tuple([AbiType.UInt(8), AbiType.String], ["id", "label"]);
        var c = AbiEncoder.Encode(named, new Dictionary<string, object?> { ["label"] = "x", ["id"] = 7 });
        Assert.Equal(Hex.Encode(AbiEncoder.Encode(named, new object?[] { 7, "x" })), Hex.Encode(c));
    }

    [Fact]
    public void Negative_integers_are_twos_complement()
    {
        Assert.Equal("0x" + new string('f', 64), Hex.Encode(AbiEncoder.Encode(AbiType.Parse("int8"), -1)));
        Assert.Equal("0x" + new string('f', 62) + "80", Hex.Encode(AbiEncoder.Encode(AbiType.Parse("int8"), -128)));
        Assert.Equal(new BigInteger(-128), AbiDecoder.Decode(AbiType.Parse("int8"), Hex.Decode("0x" + new string('f', 62) + "80")));
    }

    [Theory]
    [InlineData("uint8", 300, "300")]
    [InlineData("uint8", -1, "-1")]
    [InlineData("int8", 128, "128")]
    [InlineData("int8", -129, "-129")]
    [InlineData("uint16", 65536, "65536")]
    public void Out_of_range_integers_are_rejected_naming_type_and_value(string type, long value, string text)
    {
        var e = Assert.Throws<ArgumentException>(() => AbiEncoder.Encode(AbiType.Parse(type), value));
        Assert.Contains(type, e.Message, StringComparison.Ordinal);
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
        Assert.Contains("out of range", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_shapes_are_rejected_with_the_path()
    {
        var e = Assert.Throws<ArgumentException>(() => AbiEncoder.Encode(AbiType.Bytes32, new byte[33]));
        Assert.Contains("bytes32", e.Message, StringComparison.Ordinal);
        Assert.Contains("33", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => AbiEncoder.Encode(AbiType.Bytes32, new byte[31]));
        Assert.Contains("31", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => AbiEncoder.Encode(AbiType.Parse("uint8[2]"), new[] { 1, 2, 3 }));
        Assert.Contains("exactly 2 elements", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => AbiEncoder.Encode(AbiType.Parse("(uint8,bool)[]"), new object[] { new object[] { 1, true }, new object[] { 2, "yes" } }));
        Assert.Contains("[1].1", e.Message, StringComparison.Ordinal);
        Assert.Contains("bool", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => AbiEncoder.Encode(AbiType.String, new byte[1]));
        Assert.Throws<ArgumentException>(() => AbiEncoder.Encode(AbiType.Address, "0x5AAEB6053f3e94c9b9a09f33669435e7ef1beaed"));
        Assert.Throws<ArgumentException>(() => AbiEncoder.Encode(AbiType.UInt256, 1.5));
        Assert.Throws<ArgumentException>(() => AbiEncoder.Encode(AbiType.Parse("uint8[]"), "123"));
        Assert.Throws<ArgumentException>(() => AbiEncoder.Encode([AbiType.UInt256], [1, 2]));
    }

    [Fact]
    public void Decoder_rejects_truncated_data()
    {
        var data = AbiEncoder.Encode([AbiType.UInt256, AbiType.String], [1, "hello world"]);
        for (var cut = 0; cut < data.Length; cut++)
        {
            // The string's padding is not needed; everything before it is.
            if (cut >= 32 * 3 + 11) continue;
            var e = Assert.Throws<EthereumFormatException>(() => AbiDecoder.Decode([AbiType.UInt256, AbiType.String], data.AsSpan(0, cut)));
            Assert.Contains("ABI data", e.Message, StringComparison.Ordinal);
        }
        Assert.Throws<EthereumFormatException>(() => AbiDecoder.Decode(AbiType.UInt256, []));
    }

    [Fact]
    public void Decoder_rejects_out_of_range_offsets_and_lengths()
    {
        var bad = Hex.Decode(Words(
            "0000000000000000000000000000000000000000000000000000000000000040", // offset 64 (= end of data)
            "0000000000000000000000000000000000000000000000000000000000000000"));
        Assert.Throws<EthereumFormatException>(() => AbiDecoder.Decode(AbiType.String, bad));
        var huge = Hex.Decode(Words(
            "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe0",
            "0000000000000000000000000000000000000000000000000000000000000000"));
        var e = Assert.Throws<EthereumFormatException>(() => AbiDecoder.Decode(AbiType.Bytes, huge));
        Assert.Contains("offset", e.Message, StringComparison.Ordinal);
        var longLength = Hex.Decode(Words(
            "0000000000000000000000000000000000000000000000000000000000000020",
            "0000000000000000000000000000000000000000000000000000000000000021",
            "0000000000000000000000000000000000000000000000000000000000000000"));
        e = Assert.Throws<EthereumFormatException>(() => AbiDecoder.Decode(AbiType.Bytes, longLength));
        Assert.Contains("length", e.Message, StringComparison.Ordinal);
        var manyElements = Hex.Decode(Words(
            "0000000000000000000000000000000000000000000000000000000000000020",
            "00000000000000000000000000000000000000000000000000000000ffffffff"));
        Assert.Throws<EthereumFormatException>(() => AbiDecoder.Decode(AbiType.Parse("uint256[]"), manyElements));
    }

    [Fact]
    public void Decoder_refuses_offset_bombs()
    {
        // A uint256[][][]... where every array's elements all point at the same inner array:
        // tiny data that would decode to an exponentially large value.
        const int depth = 12, width = 8;
        var words = new List<string> { 32.ToString("x64", System.Globalization.CultureInfo.InvariantCulture) };
        var type = AbiType.UInt256;
        for (var level = 0; level < depth; level++) type = AbiType.ArrayOf(type);
        for (var level = 0; level < depth; level++)
        {
            words.Add(width.ToString("x64", System.Globalization.CultureInfo.InvariantCulture));
            for (var i = 0; i < width; i++) words.Add((32 * width).ToString("x64", System.Globalization.CultureInfo.InvariantCulture)); // all elements → the block right after the heads
        }
        words.Add(0.ToString("x64", System.Globalization.CultureInfo.InvariantCulture));
        var e = Assert.Throws<EthereumFormatException>(() => AbiDecoder.Decode(type, Hex.Decode(string.Concat(words))));
        Assert.Contains("expands", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("address", "0000000000000000000000010000000000000000000000000000000000000001", "dirty high bits")]
    [InlineData("bool", "0000000000000000000000000000000000000000000000000000000000000002", "neither 0 nor 1")]
    [InlineData("uint8", "0000000000000000000000000000000000000000000000000000000000000100", "dirty high bits")]
    [InlineData("int8", "0000000000000000000000000000000000000000000000000000000000000080", "sign-extended")]
    [InlineData("int8", "ff00000000000000000000000000000000000000000000000000000000000001", "sign-extended")]
    [InlineData("bytes4", "0102030405000000000000000000000000000000000000000000000000000000", "non-zero bytes")]
    public void Decoder_rejects_dirty_words(string type, string word, string message)
    {
        var e = Assert.Throws<EthereumFormatException>(() => AbiDecoder.Decode(AbiType.Parse(type), Hex.Decode(word)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Contains(type, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decoder_errors_say_where()
    {
        var types = new[] { AbiType.UInt256, AbiType.Parse("(bool,address)[]") };
        var data = AbiEncoder.Encode(types, [1, new[] { new object?[] { true, Address.Zero }, new object?[] { false, Address.Zero } }]);
        data[^32] = 1; // the second element's address gets a dirty high byte
        var e = Assert.Throws<EthereumFormatException>(() => AbiDecoder.Decode(types, data));
        Assert.StartsWith("ABI data at #1[1].1: address word", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Packed_encoding_matches_solidity()
    {
        // abi.encodePacked(int16(-1), bytes1(0x42), uint16(0x03), "Hello, world!") from the Solidity docs.
        Assert.Equal("0xffff42000348656c6c6f2c20776f726c6421",
            Hex.Encode(AbiPacked.Encode(["int16", "bytes1", "uint16", "string"], [-1, new byte[] { 0x42 }, 3, "Hello, world!"])));
        // Array elements are padded to 32 bytes.
        Assert.Equal("0x" + new string('0', 63) + "1" + new string('0', 63) + "2",
            Hex.Encode(AbiPacked.Encode(["uint8[]"], [new[] { 1, 2 }])));
        Assert.Equal("0x01" + "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
            Hex.Encode(AbiPacked.Encode(["bool", "address"], [true, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"])));
        Assert.Throws<ArgumentException>(() => AbiPacked.Encode(["(uint8)"], [new object[] { 1 }]));
        Assert.Throws<ArgumentException>(() => AbiPacked.Encode(["string[]"], [new[] { "a" }]));
    }

    [Fact]
    public void Formats_values_for_people()
    {
        var type = AbiType.Tuple([AbiType.UInt256, AbiType.Parse("bool[]"), AbiType.String, AbiType.Bytes], ["n", "flags", "s", null]);
        Assert.Equal("(n=5, flags=[true, false], s=\"q\\\"\", 0x0102)",
            AbiValueFormatter.Format(type, new object?[] { new BigInteger(5), new object?[] { true, false }, "q\"", new byte[] { 1, 2 } }));
    }
}
