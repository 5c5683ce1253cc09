using System.Numerics;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Abi;

/// <summary>
/// Strict Solidity ABI decoding (the inverse of <see cref="AbiEncoder"/>). Values come back in the model
/// documented on <see cref="AbiType"/>: integers as <see cref="BigInteger"/>, <see cref="Address"/>, <c>bool</c>,
/// <c>byte[]</c> for bytes/bytesN/function, <c>string</c>, and <c>object?[]</c> for arrays and tuples.
/// </summary>
/// <remarks>
/// Rejected with an <see cref="EthereumFormatException"/> that says what and where: data too short, offsets or
/// lengths pointing outside the data, dirty high bits in <c>address</c>, <c>bool</c>, <c>uint&lt;M&gt;</c> and
/// <c>int&lt;M&gt;</c> (not sign-extended), non-zero padding in <c>bytes&lt;M&gt;</c>/<c>function</c>, and data
/// whose offsets are reused so that decoding would expand far beyond its size. Trailing bytes after the encoded
/// values are allowed (as Solidity allows them).
/// </remarks>
public static class AbiDecoder
{
    /// <summary>Decodes <c>abi.encode(v1, v2, …)</c> data for the given types.</summary>
    public static object?[] Decode(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data) => Decode(types, data, "ABI data");

    /// <summary>Decodes with types given as Solidity type strings.</summary>
    public static object?[] Decode(IReadOnlyList<string> types, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(types);
        return Decode(types.Select(AbiType.Parse).ToArray(), data);
    }

    /// <summary>Decodes <c>abi.encode(v)</c> of a single value.</summary>
    public static object? Decode(AbiType type, ReadOnlySpan<byte> data) => Decode([type], data)[0];

    /// <summary>Decodes; <paramref name="what"/> names the data in error messages (e.g. "output of balanceOf").</summary>
    internal static object?[] Decode(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data, string what)
    {
        ArgumentNullException.ThrowIfNull(types);
        var reader = new Reader(data, what);
        return reader.ReadTuple(types, 0);
    }

    /// <summary>Decodes a single 32-byte word of a static elementary type (used for indexed event topics).</summary>
    internal static object? DecodeWord(AbiType type, ReadOnlySpan<byte> word, string what)
    {
        var reader = new Reader(word, what);
        return reader.Read(type, 0);
    }

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _data;
        private readonly string _what;
        private long _budget;

        public Reader(ReadOnlySpan<byte> data, string what)
        {
            _data = data;
            _what = what;
            // Each decoded word costs one unit; honest data never reads a word more than a few times.
            _budget = 4L * (data.Length / 32) + 4096;
            _path = new List<int>(8);
        }

        // The position being decoded, kept as numbers and turned into text only for an error:
        // -(i + 1) for tuple component i, i for array element i.
        private readonly List<int> _path;

        private EthereumFormatException Error(string message)
        {
            var path = new System.Text.StringBuilder();
            foreach (var step in _path)
            {
                if (step < 0) path.Append(path.Length == 0 ? "#" : ".").Append(-step - 1);
                else path.Append('[').Append(step).Append(']');
            }
            return new($"{_what}{(path.Length > 0 ? " at " + path : "")}: {message}");
        }

        private ReadOnlySpan<byte> Word(int offset, string what)
        {
            if (--_budget < 0)
                throw Error("the data expands too much when decoded (offsets point at the same data over and over); refusing to decode it.");
            if (offset < 0 || (long)offset + 32 > _data.Length)
                throw Error($"{what} needs bytes {offset}..{(long)offset + 32} but the data has only {_data.Length} bytes (truncated?).");
            return _data.Slice(offset, 32);
        }

        /// <summary>Reads an offset or a length: a uint256 that must fit, so that <paramref name="limit"/> bounds it.</summary>
        private int ReadSize(int at, string what, long limit)
        {
            var w = Word(at, what);
            if (w[..24].IndexOfAnyExcept((byte)0) >= 0 || System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(w[24..]) > (ulong)limit)
                throw Error($"{what} 0x{HexTrim(w)} at byte {at} is too large for the data ({_data.Length} bytes; at most {Math.Max(limit, 0)} fits here).");
            return (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(w[24..]);
        }

        private static string HexTrim(ReadOnlySpan<byte> word)
        {
            var hex = Convert.ToHexStringLower(word).TrimStart('0');
            return hex.Length == 0 ? "0" : hex;
        }

        public object?[] ReadTuple(IReadOnlyList<AbiType> components, int start)
        {
            var result = new object?[components.Count];
            var head = start;
            for (var i = 0; i < result.Length; i++)
            {
                var c = components[i];
                _path.Add(-(i + 1));
                if (c.IsDynamic)
                {
                    var offset = ReadSize(head, "offset", _data.Length - (long)start);
                    result[i] = Read(c, start + offset);
                    head += 32;
                }
                else
                {
                    result[i] = Read(c, head);
                    head += c.StaticSize;
                }
                _path.RemoveAt(_path.Count - 1);
            }
            return result;
        }

        private object?[] ReadElements(AbiType element, int count, int start)
        {
            // Every element needs at least its head in the data; this also bounds allocation.
            if ((long)count * element.HeadSize > _data.Length - (long)start)
                throw Error($"{count} elements of {element} need at least {(long)count * element.HeadSize} bytes from byte {start}, but the data has only {_data.Length} bytes.");
            if (element.HeadSize == 0 && (_budget -= count) < 0)
                throw Error("the data expands too much when decoded; refusing to decode it.");
            var result = new object?[count];
            var head = start;
            for (var i = 0; i < count; i++)
            {
                _path.Add(i);
                if (element.IsDynamic)
                {
                    var offset = ReadSize(head, "offset", _data.Length - (long)start);
                    result[i] = Read(element, start + offset);
                    head += 32;
                }
                else
                {
                    result[i] = Read(element, head);
                    head += element.StaticSize;
                }
                _path.RemoveAt(_path.Count - 1);
            }
            return result;
        }

        public object? Read(AbiType type, int at)
        {
            switch (type.Kind)
            {
                case AbiTypeKind.UInt:
                    {
                        var w = Word(at, type.CanonicalName);
                        var v = BigEndian.ToBigInteger(w);
                        if (type.Size < 256 && v >> type.Size != 0)
                            throw Error($"{type} word 0x{Convert.ToHexStringLower(w)} has dirty high bits (value does not fit in {type.Size} bits).");
                        return v;
                    }
                case AbiTypeKind.Int:
                    {
                        var w = Word(at, type.CanonicalName);
                        var v = new BigInteger(w, isUnsigned: false, isBigEndian: true);
                        var (min, max) = AbiValueConverter.Range(type);
                        if (v < min || v > max)
                            throw Error($"{type} word 0x{Convert.ToHexStringLower(w)} is not sign-extended from {type.Size} bits (dirty high bits).");
                        return v;
                    }
                case AbiTypeKind.Address:
                    {
                        var w = Word(at, "address");
                        if (w[..12].IndexOfAnyExcept((byte)0) >= 0)
                            throw Error($"address word 0x{Convert.ToHexStringLower(w)} has dirty high bits (the first 12 bytes must be zero).");
                        return Address.FromBytes(w[12..]);
                    }
                case AbiTypeKind.Bool:
                    {
                        var w = Word(at, "bool");
                        if (w[..31].IndexOfAnyExcept((byte)0) >= 0 || w[31] > 1)
                            throw Error($"bool word 0x{Convert.ToHexStringLower(w)} is neither 0 nor 1.");
                        return w[31] == 1;
                    }
                case AbiTypeKind.FixedBytes:
                case AbiTypeKind.Function:
                    {
                        var w = Word(at, type.CanonicalName);
                        if (w[type.Size..].IndexOfAnyExcept((byte)0) >= 0)
                            throw Error($"{type} word 0x{Convert.ToHexStringLower(w)} has non-zero bytes after the first {type.Size}.");
                        return w[..type.Size].ToArray();
                    }
                case AbiTypeKind.Bytes:
                case AbiTypeKind.String:
                    {
                        var length = ReadSize(at, "length", _data.Length - (long)at - 32);
                        var bytes = _data.Slice(at + 32, length);
                        _budget -= length / 32;
                        return type.Kind == AbiTypeKind.Bytes ? bytes.ToArray() : System.Text.Encoding.UTF8.GetString(bytes);
                    }
                case AbiTypeKind.Array:
                    {
                        // Zero-size elements (empty tuples) take no bytes; bound their count by the work budget instead.
                        var count = ReadSize(at, "array length", type.Element!.HeadSize > 0 ? _data.Length - (long)at - 32 : Math.Max(_budget, 0));
                        return ReadElements(type.Element!, count, at + 32);
                    }
                case AbiTypeKind.FixedArray:
                    return ReadElements(type.Element!, type.Length, at);
                case AbiTypeKind.Tuple:
                    return ReadTuple(type.Components, at);
                default:
                    throw new InvalidOperationException($"Unknown ABI type kind {type.Kind}.");
            }
        }
    }
}
