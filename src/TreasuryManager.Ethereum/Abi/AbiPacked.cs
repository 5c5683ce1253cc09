using TreasuryManager.Ethereum.Crypto;

namespace TreasuryManager.Ethereum.Abi;

/// <summary>
/// Solidity <c>abi.encodePacked</c> (non-standard packed mode) and its Keccak-256
/// (ethers' <c>solidityPackedKeccak256</c>).
/// </summary>
/// <remarks>
/// Elementary values take their natural size: <c>uint&lt;M&gt;</c>/<c>int&lt;M&gt;</c> M/8 bytes (two's complement),
/// <c>address</c> 20, <c>bool</c> 1, <c>bytes&lt;M&gt;</c> M, <c>function</c> 24; <c>bytes</c> and <c>string</c> are
/// their raw bytes, unpadded and without a length. Array elements (of fixed or dynamic arrays, nested too) are each
/// padded to 32 bytes as in the standard encoding. Like Solidity, tuples and arrays of dynamic types are rejected.
/// </remarks>
public static class AbiPacked
{
    public static byte[] Encode(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(values);
        if (types.Count != values.Count)
            throw new ArgumentException($"encodePacked: {types.Count} types but {values.Count} values were given.");
        var output = new List<byte>();
        for (var i = 0; i < types.Count; i++)
        {
            var type = types[i];
            Check(type, type);
            var normalized = AbiValueConverter.Normalize(type, values[i], $"packed value #{i}");
            Append(type, normalized, output, inArray: false);
        }
        return [.. output];
    }

    public static byte[] Encode(IReadOnlyList<string> types, IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(types);
        return Encode(types.Select(AbiType.Parse).ToArray(), values);
    }

    /// <summary><c>keccak256(abi.encodePacked(…))</c>.</summary>
    public static byte[] Keccak256(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values) =>
        Crypto.Keccak256.Hash(Encode(types, values));

    /// <summary><c>keccak256(abi.encodePacked(…))</c> with Solidity type strings (ethers' <c>solidityPackedKeccak256</c>).</summary>
    public static byte[] Keccak256(IReadOnlyList<string> types, IReadOnlyList<object?> values) =>
        Crypto.Keccak256.Hash(Encode(types, values));

    private static void Check(AbiType top, AbiType type)
    {
        if (type.Kind == AbiTypeKind.Tuple)
            throw new ArgumentException($"encodePacked does not support tuples ({top}).");
        if (type.Kind is AbiTypeKind.Array or AbiTypeKind.FixedArray)
        {
            if (type.Element!.IsDynamic)
                throw new ArgumentException($"encodePacked does not support arrays of dynamic types ({top}).");
            Check(top, type.Element);
        }
    }

    private static void Append(AbiType type, object value, List<byte> output, bool inArray)
    {
        switch (type.Kind)
        {
            case AbiTypeKind.Bytes:
            case AbiTypeKind.String:
                output.AddRange((byte[])value);
                break;
            case AbiTypeKind.Array:
            case AbiTypeKind.FixedArray:
                foreach (var item in (object[])value) Append(type.Element!, item, output, inArray: true);
                break;
            default:
                {
                    var word = (byte[])value;
                    if (inArray) output.AddRange(word);
                    else
                    {
                        var span = type.Kind switch
                        {
                            AbiTypeKind.UInt or AbiTypeKind.Int => word.AsSpan(32 - type.Size / 8),
                            AbiTypeKind.Address => word.AsSpan(12),
                            AbiTypeKind.Bool => word.AsSpan(31),
                            _ => word.AsSpan(0, type.Size),
                        };
                        output.AddRange(span);
                    }
                    break;
                }
        }
    }
}
