using System.Numerics;

namespace TreasuryManager.Ethereum.Rlp;

/// <summary>
/// Recursive Length Prefix encoding (Ethereum Yellow Paper, appendix B). Decoding is strict:
/// only the canonical encoding of an item is accepted, and each failure names the input, the
/// offset and the rule broken.
/// </summary>
public static class RlpCodec
{
    /// <summary>Nesting deeper than this is rejected when decoding, to bound recursion.</summary>
    public const int MaxDepth = 256;

    public static byte[] Encode(RlpItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var output = new byte[EncodedLength(item)];
        var written = Write(item, output);
        System.Diagnostics.Debug.Assert(written == output.Length);
        return output;
    }

    /// <summary>The encoding of a byte string.</summary>
    public static byte[] EncodeString(ReadOnlySpan<byte> bytes) => Encode(new RlpString(bytes));

    /// <summary>The encoding of a canonical integer.</summary>
    public static byte[] EncodeInteger(BigInteger value) => Encode(RlpString.FromInteger(value));

    /// <summary>The number of bytes <see cref="Encode"/> gives for <paramref name="item"/>.</summary>
    public static int EncodedLength(RlpItem item)
    {
        switch (item)
        {
            case RlpString s:
                if (s.Bytes.Length == 1 && s.Bytes[0] < 0x80) return 1;
                return HeaderLength(s.Bytes.Length) + s.Bytes.Length;
            case RlpList l:
                var payload = PayloadLength(l);
                return HeaderLength(payload) + payload;
            default:
                throw new ArgumentException($"Unknown RLP item type {item.GetType().Name}.", nameof(item));
        }
    }

    private static int PayloadLength(RlpList list)
    {
        var total = 0;
        foreach (var child in list.Items) total = checked(total + EncodedLength(child));
        return total;
    }

    private static int HeaderLength(int payloadLength) => payloadLength < 56 ? 1 : 1 + ByteCount(payloadLength);

    private static int ByteCount(int value)
    {
        var n = 0;
        for (var v = (uint)value; v != 0; v >>= 8) n++;
        return n;
    }

    private static int Write(RlpItem item, Span<byte> output)
    {
        switch (item)
        {
            case RlpString s:
                if (s.Bytes.Length == 1 && s.Bytes[0] < 0x80)
                {
                    output[0] = s.Bytes[0];
                    return 1;
                }
                var h = WriteHeader(0x80, s.Bytes.Length, output);
                s.Bytes.CopyTo(output[h..]);
                return h + s.Bytes.Length;
            case RlpList l:
                var position = WriteHeader(0xc0, PayloadLength(l), output);
                foreach (var child in l.Items) position += Write(child, output[position..]);
                return position;
            default:
                throw new ArgumentException($"Unknown RLP item type {item.GetType().Name}.", nameof(item));
        }
    }

    private static int WriteHeader(byte offset, int length, Span<byte> output)
    {
        if (length < 56)
        {
            output[0] = (byte)(offset + length);
            return 1;
        }
        var count = ByteCount(length);
        output[0] = (byte)(offset + 55 + count);
        for (var i = 0; i < count; i++) output[count - i] = (byte)(length >> (8 * i));
        return 1 + count;
    }

    /// <summary>
    /// Decodes exactly one item that spans all of <paramref name="encoded"/>. Non-canonical
    /// input, truncation and trailing bytes are <see cref="EthereumFormatException"/>s naming
    /// <paramref name="what"/>.
    /// </summary>
    public static RlpItem Decode(ReadOnlySpan<byte> encoded, string what = "RLP data")
    {
        if (encoded.IsEmpty)
            throw new EthereumFormatException($"{what} is empty; RLP needs at least one byte.");
        var item = DecodeItem(encoded, 0, out var consumed, what, 0);
        if (consumed != encoded.Length)
            throw new EthereumFormatException($"{what} has {encoded.Length - consumed} trailing byte(s) after the item that ends at offset {consumed}; RLP data is exactly one item.");
        return item;
    }

    /// <summary>Decodes, requiring a list at the top.</summary>
    public static RlpList DecodeList(ReadOnlySpan<byte> encoded, string what = "RLP data") => Decode(encoded, what).AsList(what);

    private static RlpItem DecodeItem(ReadOnlySpan<byte> data, int start, out int end, string what, int depth)
    {
        if (depth > MaxDepth)
            throw new EthereumFormatException($"{what} nests lists more than {MaxDepth} deep at offset {start}.");
        var prefix = data[start];
        if (prefix < 0x80)
        {
            end = start + 1;
            return new RlpString([prefix]);
        }
        if (prefix < 0xc0)
        {
            var (payloadStart, length) = ReadLength(data, start, 0x80, what);
            if (length == 1 && data[payloadStart] < 0x80)
                throw new EthereumFormatException($"{what}: the single byte 0x{data[payloadStart]:x2} at offset {payloadStart} is written with an 0x81 prefix; canonical RLP writes a byte below 0x80 as itself.");
            end = payloadStart + length;
            return new RlpString(data.Slice(payloadStart, length));
        }
        var (listStart, listLength) = ReadLength(data, start, 0xc0, what);
        var listEnd = listStart + listLength;
        var items = new List<RlpItem>();
        var position = listStart;
        var body = data[..listEnd];
        while (position < listEnd)
        {
            items.Add(DecodeItem(body, position, out var next, what, depth + 1));
            position = next;
        }
        end = listEnd;
        return new RlpList(items);
    }

    /// <summary>Reads a string (offset 0x80) or list (0xc0) header; returns the payload start and length.</summary>
    private static (int PayloadStart, int Length) ReadLength(ReadOnlySpan<byte> data, int start, byte offset, string what)
    {
        var kind = offset == 0x80 ? "string" : "list";
        var prefix = data[start];
        int length, payloadStart;
        if (prefix - offset < 56)
        {
            length = prefix - offset;
            payloadStart = start + 1;
        }
        else
        {
            var count = prefix - offset - 55;
            if (start + 1 + count > data.Length)
                throw new EthereumFormatException($"{what}: the {kind} at offset {start} has a {count}-byte length that runs past the end of the data ({data.Length} bytes); the input is truncated.");
            if (data[start + 1] == 0)
                throw new EthereumFormatException($"{what}: the {kind} at offset {start} has a length with a leading zero byte; canonical RLP lengths are minimal.");
            if (count > 4)
                throw new EthereumFormatException($"{what}: the {kind} at offset {start} declares a {count}-byte length; lengths beyond 2³¹ bytes are not supported.");
            long value = 0;
            for (var i = 0; i < count; i++) value = (value << 8) | data[start + 1 + i];
            if (value < 56)
                throw new EthereumFormatException($"{what}: the {kind} at offset {start} uses the long form for a length of {value}; canonical RLP uses the short form below 56 bytes.");
            if (value > int.MaxValue)
                throw new EthereumFormatException($"{what}: the {kind} at offset {start} declares {value} bytes; lengths beyond 2³¹ bytes are not supported.");
            length = (int)value;
            payloadStart = start + 1 + count;
        }
        if ((long)payloadStart + length > data.Length)
            throw new EthereumFormatException($"{what}: the {kind} at offset {start} declares {length} byte(s), but only {data.Length - payloadStart} remain; the input is truncated or the length is wrong.");
        return (payloadStart, length);
    }
}
