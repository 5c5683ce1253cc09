using System.Globalization;
using System.Numerics;
using System.Text.Json;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Tests.Vectors;

public class AbiVectorTests
{
    private static readonly JsonElement[] Abi = VectorFile.Load("abi.json.gz");

    public static TheoryData<int, string> AbiCases => VectorFile.Cases("abi.json.gz");

    [Theory]
    [MemberData(nameof(AbiCases))]
    public void Encodes_the_value(int index, string name)
    {
        _ = name;
        var c = Abi[index];
        var type = AbiType.Parse(c.Str("type"));
        var value = AbiJsonValues.ToValue(type, c.GetProperty("value"), c.TryGetProperty("verbose", out var v) ? v : null);
        Assert.Equal(c.Str("encoded"), Hex.Encode(AbiEncoder.Encode(type, value)));
    }

    [Theory]
    [MemberData(nameof(AbiCases))]
    public void Decodes_the_value(int index, string name)
    {
        _ = name;
        var c = Abi[index];
        var type = AbiType.Parse(c.Str("type"));
        var expected = AbiJsonValues.ToValue(type, c.GetProperty("value"), c.TryGetProperty("verbose", out var v) ? v : null);
        var decoded = AbiDecoder.Decode(type, Hex.Decode(c.Str("encoded")));
        AbiAssert.ValueEqual(type, expected, decoded);
    }
}

/// <summary>Converts the ethers vectors' JSON values into the ABI value model, guided by the type.</summary>
internal static class AbiJsonValues
{
    public static object? ToValue(AbiType type, JsonElement value, JsonElement? verbose = null)
    {
        switch (type.Kind)
        {
            case AbiTypeKind.UInt:
            case AbiTypeKind.Int:
                if (verbose is { } vb) Assert.Equal("number", vb.GetProperty("type").GetString());
                return ParseInteger(value.ValueKind == JsonValueKind.Number ? value.GetRawText() : value.GetString()!);
            case AbiTypeKind.Address:
                return Address.Parse(value.GetString()!);
            case AbiTypeKind.Bool:
                return value.GetBoolean();
            case AbiTypeKind.FixedBytes:
            case AbiTypeKind.Bytes:
            case AbiTypeKind.Function:
                return Hex.Decode(value.GetString()!);
            case AbiTypeKind.String:
                return value.GetString()!;
            case AbiTypeKind.Array:
            case AbiTypeKind.FixedArray:
                {
                    var items = value.EnumerateArray().ToArray();
                    var verboseItems = verbose is { } vb2 ? vb2.GetProperty("value").EnumerateArray().ToArray() : null;
                    return items.Select((e, i) => ToValue(type.Element!, e, verboseItems?[i])).ToArray();
                }
            case AbiTypeKind.Tuple:
                {
                    var items = value.EnumerateArray().ToArray();
                    var verboseItems = verbose is { } vb3 ? vb3.GetProperty("value").EnumerateArray().ToArray() : null;
                    Assert.Equal(type.Components.Count, items.Length);
                    return items.Select((e, i) => ToValue(type.Components[i], e, verboseItems?[i])).ToArray();
                }
            default:
                throw new InvalidOperationException(type.ToString());
        }
    }

    /// <summary>Decimal or 0x-hex, optionally negative.</summary>
    public static BigInteger ParseInteger(string text)
    {
        var negative = text.StartsWith('-');
        var digits = negative ? text[1..] : text;
        var v = digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? BigInteger.Parse("0" + digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
            : BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        return negative ? -v : v;
    }
}

internal static class AbiAssert
{
    /// <summary>Compares values in the ABI value model (arrays element-wise, bytes by content).</summary>
    public static void ValueEqual(AbiType type, object? expected, object? actual, string path = "value")
    {
        switch (type.Kind)
        {
            case AbiTypeKind.Array:
            case AbiTypeKind.FixedArray:
            case AbiTypeKind.Tuple:
                {
                    var e = Assert.IsType<object?[]>(expected);
                    var a = Assert.IsType<object?[]>(actual);
                    Assert.True(e.Length == a.Length, $"{path}: length {a.Length}, expected {e.Length}");
                    for (var i = 0; i < e.Length; i++)
                        ValueEqual(type.Kind == AbiTypeKind.Tuple ? type.Components[i] : type.Element!, e[i], a[i], $"{path}[{i}]");
                    break;
                }
            case AbiTypeKind.Bytes:
            case AbiTypeKind.FixedBytes:
            case AbiTypeKind.Function:
                Assert.True(Assert.IsType<byte[]>(expected).AsSpan().SequenceEqual(Assert.IsType<byte[]>(actual)),
                    $"{path}: {Hex.Encode((byte[])actual!)} expected {Hex.Encode((byte[])expected!)}");
                break;
            default:
                Assert.True(Equals(expected, actual), $"{path}: {actual} expected {expected}");
                break;
        }
    }
}
