using System.Text.Json;
using TreasuryManager.Ethereum.Abi;

namespace TreasuryManager.Ethereum.Tests.Abi;

public class AbiTypeTests
{
    [Theory]
    [InlineData("uint256", "uint256")]
    [InlineData("uint", "uint256")]
    [InlineData("int", "int256")]
    [InlineData("uint8", "uint8")]
    [InlineData("int24", "int24")]
    [InlineData("address", "address")]
    [InlineData("bool", "bool")]
    [InlineData("bytes", "bytes")]
    [InlineData("bytes1", "bytes1")]
    [InlineData("bytes32", "bytes32")]
    [InlineData("string", "string")]
    [InlineData("function", "function")]
    [InlineData("uint[]", "uint256[]")]
    [InlineData("address[2][]", "address[2][]")]
    [InlineData("()", "()")]
    [InlineData("(uint,string)", "(uint256,string)")]
    [InlineData("((uint16,string)[2],bytes32)[]", "((uint16,string)[2],bytes32)[]")]
    [InlineData("(((int)[])[3],(bool))", "(((int256)[])[3],(bool))")]
    public void Parses_to_the_canonical_name(string text, string canonical)
    {
        var type = AbiType.Parse(text);
        Assert.Equal(canonical, type.CanonicalName);
        Assert.Equal(type, AbiType.Parse(canonical));
    }

    [Theory]
    [InlineData("uint7")]
    [InlineData("uint0")]
    [InlineData("uint264")]
    [InlineData("uint08")]
    [InlineData("int9")]
    [InlineData("bytes0")]
    [InlineData("bytes33")]
    [InlineData("byte")]
    [InlineData("fixed128x18")]
    [InlineData("strin")]
    [InlineData("uint256[")]
    [InlineData("uint256[0]")]
    [InlineData("uint256[-1]")]
    [InlineData("uint256[01]")]
    [InlineData("(uint256")]
    [InlineData("(uint256,)")]
    [InlineData("(,uint256)")]
    [InlineData("uint256 ")]
    [InlineData(" uint256")]
    [InlineData("tuple")]
    [InlineData("")]
    [InlineData("address payable")]
    public void Rejects_invalid_types_naming_them(string text)
    {
        var e = Assert.Throws<EthereumFormatException>(() => AbiType.Parse(text));
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
        Assert.False(AbiType.TryParse(text, out _));
    }

    [Fact]
    public void Reports_static_sizes_and_dynamism()
    {
        Assert.False(AbiType.Parse("uint256").IsDynamic);
        Assert.Equal(32, AbiType.Parse("address").StaticSize);
        Assert.Equal(96, AbiType.Parse("(uint8,bool,bytes3)").StaticSize);
        Assert.Equal(192, AbiType.Parse("(uint8,bool)[3]").StaticSize);
        Assert.True(AbiType.Parse("string[2]").IsDynamic);
        Assert.True(AbiType.Parse("(uint8,bytes)").IsDynamic);
        Assert.True(AbiType.Parse("uint8[]").IsDynamic);
        Assert.Equal(32, AbiType.Parse("uint8[]").HeadSize);
    }

    [Fact]
    public void Reads_abi_json_tuples_keeping_names()
    {
        using var doc = JsonDocument.Parse("""
            {
              "name": "orders", "type": "tuple[3][]", "internalType": "struct Book.Order[3][]",
              "components": [
                { "name": "maker", "type": "address" },
                { "name": "legs", "type": "tuple[]", "components": [ { "name": "amount", "type": "uint128" }, { "name": "memo", "type": "string" } ] },
                { "name": "", "type": "bytes32" }
              ]
            }
            """);
        var type = AbiType.FromJson(doc.RootElement);
        Assert.Equal("(address,(uint128,string)[],bytes32)[3][]", type.CanonicalName);
        Assert.Equal("tuple[3][]", type.JsonTypeName);
        var tuple = type.Element!.Element!;
        Assert.Equal(AbiTypeKind.Tuple, tuple.Kind);
        Assert.Equal(new string?[] { "maker", "legs", null }, tuple.ComponentNames);
        Assert.Equal(1, tuple.IndexOfComponent("legs"));
        Assert.Equal(new string?[] { "amount", "memo" }, tuple.Components[1].Element!.ComponentNames);

        var parameter = AbiParameter.FromJson(doc.RootElement);
        Assert.Equal("orders", parameter.Name);
        Assert.Equal("struct Book.Order[3][]", parameter.InternalType);
    }

    [Fact]
    public void Abi_json_tuple_without_components_is_an_error()
    {
        using var doc = JsonDocument.Parse("""{ "name": "x", "type": "tuple[]" }""");
        var e = Assert.Throws<EthereumFormatException>(() => AbiType.FromJson(doc.RootElement));
        Assert.Contains("tuple[]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Builders_match_parsing()
    {
        Assert.Equal(AbiType.Parse("(uint8,address[])[2]"),
            AbiType.FixedArrayOf(AbiType.Tuple(AbiType.UInt(8), AbiType.ArrayOf(AbiType.Address)), 2));
        Assert.Throws<EthereumFormatException>(() => AbiType.UInt(12));
        Assert.Throws<EthereumFormatException>(() => AbiType.FixedBytes(33));
    }
}
