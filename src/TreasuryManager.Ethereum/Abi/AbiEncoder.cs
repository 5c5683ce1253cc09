using System.Buffers.Binary;

namespace TreasuryManager.Ethereum.Abi;

/// <summary>
/// Solidity <c>abi.encode</c>: a list of values encoded as one tuple with the head/tail layout.
/// Values follow the model documented on <see cref="AbiType"/>. A value of the wrong shape or out of range
/// raises an <see cref="ArgumentException"/> naming the value's position, type and value.
/// </summary>
public static class AbiEncoder
{
    /// <summary><c>abi.encode(v1, v2, …)</c> for the given types.</summary>
    public static byte[] Encode(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values) =>
        Encode(types, values, null, "value");

    /// <summary><c>abi.encode(v1, v2, …)</c> with types given as Solidity type strings.</summary>
    public static byte[] Encode(IReadOnlyList<string> types, IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(types);
        return Encode(types.Select(AbiType.Parse).ToArray(), values);
    }

    /// <summary><c>abi.encode(v)</c> of a single value (a dynamic value gets its leading offset word).</summary>
    public static byte[] Encode(AbiType type, object? value) => Encode([type], [value]);

    /// <summary>
    /// Encodes values as a tuple; <paramref name="names"/> (optional) and <paramref name="what"/> make error
    /// messages say e.g. <c>transfer argument 'amount' (uint256)</c>.
    /// </summary>
    internal static byte[] Encode(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values, IReadOnlyList<string?>? names, string what)
    {
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(values);
        if (types.Count != values.Count)
            throw new ArgumentException($"{what}: {types.Count} types but {values.Count} values were given.");
        var normalized = new object[types.Count];
        for (var i = 0; i < normalized.Length; i++)
        {
            var name = names is not null && i < names.Count && !string.IsNullOrEmpty(names[i]) ? $"'{names[i]}'" : $"#{i}";
            normalized[i] = AbiValueConverter.Normalize(types[i], values[i], $"{what} {name}");
        }
        var tuple = AbiType.Tuple(types as AbiType[] ?? types.ToArray());
        var output = new byte[TupleSize(tuple.Components, normalized)];
        var written = WriteTuple(tuple.Components, normalized, output);
        System.Diagnostics.Debug.Assert(written == output.Length);
        return output;
    }

    internal static int Size(AbiType type, object value)
    {
        switch (type.Kind)
        {
            case AbiTypeKind.Bytes:
            case AbiTypeKind.String:
                return checked(32 + Padded(((byte[])value).Length));
            case AbiTypeKind.Array:
                {
                    var items = (object[])value;
                    return checked(32 + ElementsSize(type.Element!, items));
                }
            case AbiTypeKind.FixedArray:
                return ElementsSize(type.Element!, (object[])value);
            case AbiTypeKind.Tuple:
                return TupleSize(type.Components, (object[])value);
            default:
                return 32;
        }
    }

    private static int ElementsSize(AbiType element, object[] items)
    {
        if (!element.IsDynamic) return checked(element.StaticSize * items.Length);
        var size = 0;
        foreach (var item in items) size = checked(size + 32 + Size(element, item));
        return size;
    }

    private static int TupleSize(IReadOnlyList<AbiType> components, object[] items)
    {
        var size = 0;
        for (var i = 0; i < items.Length; i++)
            size = checked(size + (components[i].IsDynamic ? 32 + Size(components[i], items[i]) : components[i].StaticSize));
        return size;
    }

    private static int Padded(int length) => checked((length + 31) / 32 * 32);

    /// <summary>Writes one value at the start of <paramref name="output"/>; returns the bytes written.</summary>
    internal static int Write(AbiType type, object value, Span<byte> output)
    {
        switch (type.Kind)
        {
            case AbiTypeKind.Bytes:
            case AbiTypeKind.String:
                {
                    var bytes = (byte[])value;
                    WriteLength(bytes.Length, output);
                    bytes.CopyTo(output[32..]);
                    var padded = Padded(bytes.Length);
                    output.Slice(32 + bytes.Length, padded - bytes.Length).Clear();
                    return 32 + padded;
                }
            case AbiTypeKind.Array:
                {
                    var items = (object[])value;
                    WriteLength(items.Length, output);
                    return 32 + WriteElements(type.Element!, items, output[32..]);
                }
            case AbiTypeKind.FixedArray:
                return WriteElements(type.Element!, (object[])value, output);
            case AbiTypeKind.Tuple:
                return WriteTuple(type.Components, (object[])value, output);
            default:
                ((byte[])value).CopyTo(output);
                return 32;
        }
    }

    private static int WriteElements(AbiType element, object[] items, Span<byte> output)
    {
        if (!element.IsDynamic)
        {
            var at = 0;
            foreach (var item in items) at += Write(element, item, output[at..]);
            return at;
        }
        var tail = 32 * items.Length;
        for (var i = 0; i < items.Length; i++)
        {
            WriteLength(tail, output[(32 * i)..]);
            tail += Write(element, items[i], output[tail..]);
        }
        return tail;
    }

    private static int WriteTuple(IReadOnlyList<AbiType> components, object[] items, Span<byte> output)
    {
        var head = 0;
        var tail = 0;
        foreach (var c in components) tail += c.HeadSize;
        for (var i = 0; i < items.Length; i++)
        {
            var c = components[i];
            if (c.IsDynamic)
            {
                WriteLength(tail, output[head..]);
                head += 32;
                tail += Write(c, items[i], output[tail..]);
            }
            else
            {
                head += Write(c, items[i], output[head..]);
            }
        }
        return tail;
    }

    private static void WriteLength(int value, Span<byte> output)
    {
        output[..28].Clear();
        BinaryPrimitives.WriteInt32BigEndian(output.Slice(28, 4), value);
    }
}
