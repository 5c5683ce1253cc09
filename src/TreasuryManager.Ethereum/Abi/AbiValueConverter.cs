using System.Collections;
using System.Numerics;
using System.Runtime.CompilerServices;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Abi;

/// <summary>
/// Turns caller values (see the value model on <see cref="AbiType"/>) into a checked internal form:
/// static elementary values become their 32-byte word, bytes/string their raw bytes, arrays and tuples
/// an <c>object[]</c> of the same. Errors are <see cref="ArgumentException"/>s naming the value's path, type and value.
/// </summary>
internal static class AbiValueConverter
{
    public static object Normalize(AbiType type, object? value, string path)
    {
        switch (type.Kind)
        {
            case AbiTypeKind.UInt:
            case AbiTypeKind.Int:
                return IntegerWord(ToBigInteger(type, value, path));
            case AbiTypeKind.Address:
                {
                    var a = ToAddress(value, path);
                    var w = new byte[32];
                    a.Bytes.CopyTo(w.AsSpan(12));
                    return w;
                }
            case AbiTypeKind.Bool:
                {
                    if (value is not bool b) throw Mismatch(type, value, path, "a bool");
                    var w = new byte[32];
                    w[31] = b ? (byte)1 : (byte)0;
                    return w;
                }
            case AbiTypeKind.FixedBytes:
            case AbiTypeKind.Function:
                {
                    var bytes = ToBytes(type, value, path);
                    if (bytes.Length != type.Size)
                        throw new ArgumentException($"{path} ({type}) needs exactly {type.Size} bytes, but {bytes.Length} were given ({Hex.Shorten(Hex.Encode(bytes))}).");
                    var w = new byte[32];
                    bytes.CopyTo(w);
                    return w;
                }
            case AbiTypeKind.Bytes:
                return ToBytes(type, value, path).ToArray();
            case AbiTypeKind.String:
                if (value is not string s) throw Mismatch(type, value, path, "a string");
                return System.Text.Encoding.UTF8.GetBytes(s);
            case AbiTypeKind.Array:
            case AbiTypeKind.FixedArray:
                {
                    var items = ToList(type, value, path);
                    if (type.Kind == AbiTypeKind.FixedArray && items.Count != type.Length)
                        throw new ArgumentException($"{path} ({type}) needs exactly {type.Length} elements, but {items.Count} were given.");
                    var result = new object[items.Count];
                    for (var i = 0; i < result.Length; i++)
                        result[i] = Normalize(type.Element!, items[i], $"{path}[{i}]");
                    return result;
                }
            case AbiTypeKind.Tuple:
                {
                    var items = TupleItems(type, value, path);
                    if (items.Count != type.Components.Count)
                        throw new ArgumentException($"{path} ({type}) needs {type.Components.Count} components, but {items.Count} were given.");
                    var result = new object[items.Count];
                    for (var i = 0; i < result.Length; i++)
                        result[i] = Normalize(type.Components[i], items[i], $"{path}.{type.ComponentNames[i] ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                    return result;
                }
            default:
                throw new InvalidOperationException($"Unknown ABI type kind {type.Kind}.");
        }
    }

    /// <summary>The value range of an integer type.</summary>
    public static (BigInteger Min, BigInteger Max) Range(AbiType type) => type.Kind == AbiTypeKind.UInt
        ? (BigInteger.Zero, (BigInteger.One << type.Size) - 1)
        : (-(BigInteger.One << (type.Size - 1)), (BigInteger.One << (type.Size - 1)) - 1);

    public static BigInteger ToBigInteger(AbiType type, object? value, string path)
    {
        BigInteger v = value switch
        {
            BigInteger b => b,
            int i => i,
            long l => l,
            uint u => u,
            ulong ul => ul,
            short s => s,
            ushort us => us,
            byte by => by,
            sbyte sb => sb,
            Int128 i128 => (BigInteger)i128,
            UInt128 u128 => (BigInteger)u128,
            _ => throw Mismatch(type, value, path, "an integer (BigInteger, int, long, ulong, UInt128, …)"),
        };
        var (min, max) = Range(type);
        if (v < min || v > max)
            throw new ArgumentException($"{path} ({type}) value {v} is out of range; {type} holds {min} to {max}.");
        return v;
    }

    /// <summary>The 32-byte two's-complement word of an in-range integer.</summary>
    internal static byte[] IntegerWord(BigInteger v)
    {
        var w = new byte[32];
        if (v.Sign < 0) w.AsSpan().Fill(0xFF);
        var count = v.GetByteCount(isUnsigned: v.Sign >= 0);
        v.TryWriteBytes(w.AsSpan(32 - count), out _, isUnsigned: v.Sign >= 0, isBigEndian: true);
        return w;
    }

    private static Address ToAddress(object? value, string path)
    {
        switch (value)
        {
            case Address a: return a;
            case string s:
                try { return Address.Parse(s, path); }
                catch (EthereumFormatException e) { throw new ArgumentException(e.Message, e); }
            default: throw Mismatch(AbiType.Address, value, path, "an Address");
        }
    }

    private static ReadOnlySpan<byte> ToBytes(AbiType type, object? value, string path) => value switch
    {
        byte[] b => b,
        ReadOnlyMemory<byte> m => m.Span,
        Memory<byte> m => m.Span,
        ArraySegment<byte> s => s.AsSpan(),
        _ => throw Mismatch(type, value, path, "a byte[]"),
    };

    private static IList ToList(AbiType type, object? value, string path) => value switch
    {
        null or string => throw Mismatch(type, value, path, "an array or list"),
        IList list => list,
        IEnumerable e => e.Cast<object?>().ToList(),
        _ => throw Mismatch(type, value, path, "an array or list"),
    };

    private static IList TupleItems(AbiType type, object? value, string path)
    {
        switch (value)
        {
            case null or string:
                throw Mismatch(type, value, path, "an object?[] of components");
            case IReadOnlyDictionary<string, object?> dict:
                {
                    var items = new object?[type.Components.Count];
                    for (var i = 0; i < items.Length; i++)
                    {
                        var name = type.ComponentNames[i];
                        if (name is null || !dict.TryGetValue(name, out items[i]))
                            throw new ArgumentException($"{path} ({type}) is missing component '{name ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)}'.");
                    }
                    if (dict.Count != items.Length)
                        throw new ArgumentException($"{path} ({type}) has unknown components: {string.Join(", ", dict.Keys.Where(k => type.IndexOfComponent(k) < 0))}.");
                    return items;
                }
            case IList list:
                return list;
            case ITuple tuple:
                {
                    var items = new object?[tuple.Length];
                    for (var i = 0; i < items.Length; i++) items[i] = tuple[i];
                    return items;
                }
            case IEnumerable e:
                return e.Cast<object?>().ToList();
            default:
                throw Mismatch(type, value, path, "an object?[] of components");
        }
    }

    private static ArgumentException Mismatch(AbiType type, object? value, string path, string expected) =>
        new($"{path} ({type}) needs {expected}, but got {Describe(value)}.");

    internal static string Describe(object? value) => value switch
    {
        null => "null",
        string s => $"string \"{(s.Length > 40 ? s[..40] + "…" : s)}\"",
        _ => $"{value.GetType().Name} {Shorten(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "")}",
    };

    private static string Shorten(string s) => s.Length > 60 ? s[..60] + "…" : s;
}
