using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TreasuryManager.Ethereum.Abi;

/// <summary>The kind of a Solidity ABI type.</summary>
public enum AbiTypeKind
{
    /// <summary><c>uint&lt;M&gt;</c>, M = 8..256 in steps of 8.</summary>
    UInt,
    /// <summary><c>int&lt;M&gt;</c>, two's complement.</summary>
    Int,
    Address,
    Bool,
    /// <summary><c>bytes&lt;M&gt;</c>, M = 1..32, right-padded.</summary>
    FixedBytes,
    /// <summary>Dynamic <c>bytes</c>.</summary>
    Bytes,
    /// <summary>Dynamic UTF-8 <c>string</c>.</summary>
    String,
    /// <summary><c>function</c>: an address followed by a selector, encoded as <c>bytes24</c>.</summary>
    Function,
    /// <summary><c>T[k]</c>.</summary>
    FixedArray,
    /// <summary><c>T[]</c>.</summary>
    Array,
    /// <summary><c>(T1,T2,…)</c>, a struct in Solidity.</summary>
    Tuple,
}

/// <summary>
/// A parsed Solidity ABI type. Immutable; equality is structural on the canonical type string
/// (component names are kept for display and by-name access but do not affect equality).
/// </summary>
/// <remarks>
/// <para>Value model used by <see cref="AbiEncoder"/>, <see cref="AbiDecoder"/> and <see cref="AbiPacked"/>:</para>
/// <list type="bullet">
/// <item><c>uint&lt;M&gt;</c>/<c>int&lt;M&gt;</c>: decoded as <see cref="System.Numerics.BigInteger"/>; on input also
/// <c>int</c>, <c>long</c>, <c>uint</c>, <c>ulong</c>, <c>short</c>, <c>ushort</c>, <c>byte</c>, <c>sbyte</c>,
/// <see cref="Int128"/>, <see cref="UInt128"/>. Out-of-range values are rejected.</item>
/// <item><c>address</c>: <see cref="Ethereum.Address"/>; on input also a 0x-hex string (EIP-55 checked).</item>
/// <item><c>bool</c>: <see cref="bool"/>.</item>
/// <item><c>bytes&lt;M&gt;</c>, <c>bytes</c>, <c>function</c>: <c>byte[]</c> (exactly M bytes for <c>bytes&lt;M&gt;</c>,
/// 24 for <c>function</c>); on input also <see cref="ReadOnlyMemory{T}"/> / <see cref="Memory{T}"/> of bytes.</item>
/// <item><c>string</c>: <see cref="string"/> (UTF-8 on the wire).</item>
/// <item>arrays and tuples: decoded as <c>object?[]</c>; on input any <see cref="System.Collections.IEnumerable"/>
/// (not a string); tuples also accept <see cref="System.Runtime.CompilerServices.ITuple"/> (value tuples) and
/// <c>IReadOnlyDictionary&lt;string, object?&gt;</c> keyed by component name.</item>
/// </list>
/// </remarks>
public sealed class AbiType : IEquatable<AbiType>
{
    private static readonly string[] NoNames = [];
    private static readonly AbiType[] NoTypes = [];

    private AbiType(AbiTypeKind kind, int size, int length, AbiType? element, AbiType[] components, string?[] names)
    {
        Kind = kind;
        Size = size;
        Length = length;
        Element = element;
        Components = components;
        ComponentNames = names;
        CanonicalName = BuildCanonical();
        IsDynamic = kind switch
        {
            AbiTypeKind.Bytes or AbiTypeKind.String or AbiTypeKind.Array => true,
            AbiTypeKind.FixedArray => element!.IsDynamic,
            AbiTypeKind.Tuple => components.Any(c => c.IsDynamic),
            _ => false,
        };
        if (!IsDynamic)
        {
            long size32 = kind switch
            {
                AbiTypeKind.FixedArray => (long)length * element!.StaticSize,
                AbiTypeKind.Tuple => components.Sum(c => (long)c.StaticSize),
                _ => 32,
            };
            if (size32 > int.MaxValue / 2)
                throw new EthereumFormatException($"ABI type '{CanonicalName}' is too large to encode ({size32} bytes).");
            StaticSize = (int)size32;
        }
    }

    public AbiTypeKind Kind { get; }

    /// <summary>Bits for <c>uint</c>/<c>int</c>; bytes for <c>bytes&lt;M&gt;</c> and <c>function</c> (24); otherwise 0.</summary>
    public int Size { get; }

    /// <summary>The length k of a fixed array <c>T[k]</c>; otherwise 0.</summary>
    public int Length { get; }

    /// <summary>The element type of an array; null otherwise.</summary>
    public AbiType? Element { get; }

    /// <summary>The component types of a tuple; empty otherwise.</summary>
    public IReadOnlyList<AbiType> Components { get; }

    /// <summary>The component names of a tuple (from ABI JSON), null where unnamed; same length as <see cref="Components"/>.</summary>
    public IReadOnlyList<string?> ComponentNames { get; }

    /// <summary>Whether the type is encoded in the tail (bytes, string, T[], and anything holding one).</summary>
    public bool IsDynamic { get; }

    /// <summary>The encoded size of a static type (in bytes); 0 for a dynamic type, whose head is one 32-byte offset.</summary>
    public int StaticSize { get; }

    /// <summary>The bytes this type takes in the head of an enclosing tuple: <see cref="StaticSize"/>, or 32 if dynamic.</summary>
    public int HeadSize => IsDynamic ? 32 : StaticSize;

    /// <summary>The canonical type string used in signatures: <c>uint256</c>, <c>(address,bytes32)[]</c>, …</summary>
    public string CanonicalName { get; }

    public override string ToString() => CanonicalName;

    public bool Equals(AbiType? other) => other is not null && other.CanonicalName == CanonicalName;
    public override bool Equals(object? obj) => Equals(obj as AbiType);
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(CanonicalName);
    public static bool operator ==(AbiType? left, AbiType? right) => left is null ? right is null : left.Equals(right);
    public static bool operator !=(AbiType? left, AbiType? right) => !(left == right);

    // ---- Well-known types and builders ----

    public static AbiType UInt256 { get; } = UInt(256);
    public static AbiType Int256 { get; } = Int(256);
    public static AbiType Address { get; } = new(AbiTypeKind.Address, 0, 0, null, NoTypes, NoNames);
    public static AbiType Bool { get; } = new(AbiTypeKind.Bool, 0, 0, null, NoTypes, NoNames);
    public static AbiType Bytes { get; } = new(AbiTypeKind.Bytes, 0, 0, null, NoTypes, NoNames);
    public static AbiType String { get; } = new(AbiTypeKind.String, 0, 0, null, NoTypes, NoNames);
    public static AbiType Function { get; } = new(AbiTypeKind.Function, 24, 0, null, NoTypes, NoNames);
    public static AbiType Bytes32 { get; } = FixedBytes(32);

    public static AbiType UInt(int bits) => new(AbiTypeKind.UInt, CheckBits(bits, "uint"), 0, null, NoTypes, NoNames);
    public static AbiType Int(int bits) => new(AbiTypeKind.Int, CheckBits(bits, "int"), 0, null, NoTypes, NoNames);

    public static AbiType FixedBytes(int size)
    {
        if (size is < 1 or > 32)
            throw new EthereumFormatException($"ABI type 'bytes{size}' is invalid: bytes<M> needs 1 <= M <= 32.");
        return new(AbiTypeKind.FixedBytes, size, 0, null, NoTypes, NoNames);
    }

    public static AbiType ArrayOf(AbiType element) =>
        new(AbiTypeKind.Array, 0, 0, element ?? throw new ArgumentNullException(nameof(element)), NoTypes, NoNames);

    public static AbiType FixedArrayOf(AbiType element, int length)
    {
        ArgumentNullException.ThrowIfNull(element);
        if (length < 1)
            throw new EthereumFormatException($"ABI type '{element}[{length}]' is invalid: a fixed array needs a length of at least 1.");
        return new(AbiTypeKind.FixedArray, 0, length, element, NoTypes, NoNames);
    }

    public static AbiType Tuple(params AbiType[] components) => Tuple(components, null);

    /// <summary>A tuple with optional component names (null or empty for unnamed).</summary>
    public static AbiType Tuple(IReadOnlyList<AbiType> components, IReadOnlyList<string?>? names)
    {
        ArgumentNullException.ThrowIfNull(components);
        if (names is not null && names.Count != components.Count)
            throw new ArgumentException("A tuple needs one name (or null) per component.", nameof(names));
        var types = components.ToArray();
        if (types.Any(t => t is null)) throw new ArgumentException("A tuple component is null.", nameof(components));
        var n = new string?[types.Length];
        for (var i = 0; i < n.Length; i++)
            n[i] = names is not null && !string.IsNullOrEmpty(names[i]) ? names[i] : null;
        return new(AbiTypeKind.Tuple, 0, 0, null, types, n);
    }

    private static int CheckBits(int bits, string prefix)
    {
        if (bits < 8 || bits > 256 || bits % 8 != 0)
            throw new EthereumFormatException($"ABI type '{prefix}{bits}' is invalid: {prefix}<M> needs M a multiple of 8 from 8 to 256.");
        return bits;
    }

    /// <summary>Index of a named tuple component, or -1.</summary>
    public int IndexOfComponent(string name)
    {
        for (var i = 0; i < ComponentNames.Count; i++)
            if (ComponentNames[i] == name) return i;
        return -1;
    }

    private string BuildCanonical() => Kind switch
    {
        AbiTypeKind.UInt => "uint" + Size.ToString(CultureInfo.InvariantCulture),
        AbiTypeKind.Int => "int" + Size.ToString(CultureInfo.InvariantCulture),
        AbiTypeKind.Address => "address",
        AbiTypeKind.Bool => "bool",
        AbiTypeKind.FixedBytes => "bytes" + Size.ToString(CultureInfo.InvariantCulture),
        AbiTypeKind.Bytes => "bytes",
        AbiTypeKind.String => "string",
        AbiTypeKind.Function => "function",
        AbiTypeKind.FixedArray => Element!.CanonicalName + "[" + Length.ToString(CultureInfo.InvariantCulture) + "]",
        AbiTypeKind.Array => Element!.CanonicalName + "[]",
        AbiTypeKind.Tuple => "(" + string.Join(",", Components.Select(c => c.CanonicalName)) + ")",
        _ => throw new InvalidOperationException(),
    };

    // ---- Parsing type strings ----

    /// <summary>
    /// Parses a Solidity type string such as <c>uint256</c>, <c>bytes32[]</c> or <c>((uint16,string)[2],bytes32)[]</c>.
    /// <c>uint</c>/<c>int</c> mean 256 bits. Throws <see cref="EthereumFormatException"/> naming the type if invalid.
    /// </summary>
    public static AbiType Parse(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var pos = 0;
        AbiType result;
        try
        {
            result = ParseType(type, ref pos);
        }
        catch (EthereumFormatException e)
        {
            throw new EthereumFormatException($"ABI type '{type}' is invalid: {e.Message}", e);
        }
        if (pos != type.Length)
            throw new EthereumFormatException($"ABI type '{type}' is invalid: unexpected '{type[pos]}' at position {pos}.");
        return result;
    }

    public static bool TryParse(string? type, out AbiType? result)
    {
        result = null;
        if (type is null) return false;
        try { result = Parse(type); return true; }
        catch (EthereumFormatException) { return false; }
    }

    private static AbiType ParseType(string s, ref int pos)
    {
        AbiType baseType;
        if (pos < s.Length && s[pos] == '(')
        {
            pos++;
            var comps = new List<AbiType>();
            if (pos < s.Length && s[pos] == ')') pos++;
            else
            {
                while (true)
                {
                    comps.Add(ParseType(s, ref pos));
                    if (pos >= s.Length) throw new EthereumFormatException("a tuple is missing its closing ')'.");
                    if (s[pos] == ',') { pos++; continue; }
                    if (s[pos] == ')') { pos++; break; }
                    throw new EthereumFormatException($"unexpected '{s[pos]}' at position {pos} in a tuple.");
                }
            }
            baseType = Tuple([.. comps], null);
        }
        else
        {
            var start = pos;
            while (pos < s.Length && (char.IsAsciiLetterOrDigit(s[pos]) || s[pos] == '_')) pos++;
            if (pos == start)
                throw new EthereumFormatException(pos < s.Length ? $"unexpected '{s[pos]}' at position {pos}." : "a type name is missing.");
            baseType = Elementary(s[start..pos]);
        }
        return ParseSuffixes(baseType, s, ref pos);
    }

    private static AbiType ParseSuffixes(AbiType type, string s, ref int pos)
    {
        while (pos < s.Length && s[pos] == '[')
        {
            pos++;
            var start = pos;
            while (pos < s.Length && char.IsAsciiDigit(s[pos])) pos++;
            if (pos >= s.Length || s[pos] != ']') throw new EthereumFormatException("an array suffix is missing its closing ']'.");
            var digits = s[start..pos];
            pos++;
            if (digits.Length == 0) type = ArrayOf(type);
            else
            {
                if (digits.Length > 1 && digits[0] == '0') throw new EthereumFormatException($"array length '{digits}' has a leading zero.");
                if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k > 1_000_000)
                    throw new EthereumFormatException($"array length '{digits}' is too large.");
                type = FixedArrayOf(type, k);
            }
        }
        return type;
    }

    private static AbiType Elementary(string name)
    {
        switch (name)
        {
            case "uint": return UInt256;
            case "int": return Int256;
            case "address": return Address;
            case "bool": return Bool;
            case "bytes": return Bytes;
            case "string": return String;
            case "function": return Function;
            case "tuple": throw new EthereumFormatException("'tuple' needs its components; write the tuple as (T1,T2,…) or use ABI JSON with \"components\".");
        }
        if (TrySuffix(name, "uint", out var m)) return UInt(m);
        if (TrySuffix(name, "int", out m)) return Int(m);
        if (TrySuffix(name, "bytes", out m)) return FixedBytes(m);
        if (name.StartsWith("fixed", StringComparison.Ordinal) || name.StartsWith("ufixed", StringComparison.Ordinal))
            throw new EthereumFormatException($"'{name}': fixed-point types are not supported.");
        throw new EthereumFormatException($"'{name}' is not a Solidity ABI type.");
    }

    private static bool TrySuffix(string name, string prefix, out int value)
    {
        value = 0;
        if (!name.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var digits = name.AsSpan(prefix.Length);
        if (digits.Length == 0 || digits.Length > 3 || digits[0] == '0') return false;
        foreach (var c in digits) if (!char.IsAsciiDigit(c)) return false;
        value = int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        return true;
    }

    // ---- ABI JSON ----

    /// <summary>
    /// The type of an ABI JSON parameter object (<c>{"type": "tuple[2][]", "components": [...]}</c>); tuple
    /// component names are kept.
    /// </summary>
    public static AbiType FromJson(JsonElement parameter)
    {
        if (parameter.ValueKind != JsonValueKind.Object || !parameter.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String)
            throw new EthereumFormatException("An ABI parameter must be an object with a string \"type\".");
        var type = t.GetString()!;
        if (!type.StartsWith("tuple", StringComparison.Ordinal))
            return Parse(type);
        if (!parameter.TryGetProperty("components", out var comps) || comps.ValueKind != JsonValueKind.Array)
            throw new EthereumFormatException($"ABI type '{type}' needs a \"components\" array.");
        var types = new List<AbiType>();
        var names = new List<string?>();
        foreach (var c in comps.EnumerateArray())
        {
            types.Add(FromJson(c));
            names.Add(c.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null);
        }
        var pos = "tuple".Length;
        AbiType result;
        try
        {
            result = ParseSuffixes(Tuple(types, names), type, ref pos);
        }
        catch (EthereumFormatException e)
        {
            throw new EthereumFormatException($"ABI type '{type}' is invalid: {e.Message}", e);
        }
        if (pos != type.Length)
            throw new EthereumFormatException($"ABI type '{type}' is invalid: unexpected '{type[pos]}' at position {pos}.");
        return result;
    }

    /// <summary>The type as an ABI JSON "type" string: tuples become <c>tuple</c> with suffixes kept.</summary>
    public string JsonTypeName
    {
        get
        {
            var suffix = new StringBuilder();
            var t = this;
            while (t.Kind is AbiTypeKind.Array or AbiTypeKind.FixedArray)
            {
                suffix.Insert(0, t.Kind == AbiTypeKind.Array ? "[]" : "[" + t.Length.ToString(CultureInfo.InvariantCulture) + "]");
                t = t.Element!;
            }
            return (t.Kind == AbiTypeKind.Tuple ? "tuple" : t.CanonicalName) + suffix;
        }
    }

    /// <summary>The innermost non-array type (the tuple of <c>tuple[2][]</c>).</summary>
    internal AbiType BaseElement
    {
        get
        {
            var t = this;
            while (t.Element is not null) t = t.Element;
            return t;
        }
    }
}
