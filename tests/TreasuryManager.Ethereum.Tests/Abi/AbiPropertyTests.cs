using System.Numerics;
using CsCheck;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.Tests.Vectors;

namespace TreasuryManager.Ethereum.Tests.Abi;

public class AbiPropertyTests
{
    private static readonly Gen<AbiType> Elementary = Gen.OneOf(
        Gen.Int[1, 32].Select(n => AbiType.UInt(n * 8)),
        Gen.Int[1, 32].Select(n => AbiType.Int(n * 8)),
        Gen.Const(AbiType.Address),
        Gen.Const(AbiType.Bool),
        Gen.Int[1, 32].Select(AbiType.FixedBytes),
        Gen.Const(AbiType.Bytes),
        Gen.Const(AbiType.String),
        Gen.Const(AbiType.Function));

    private static Gen<AbiType> TypeGen(int depth) => depth == 0
        ? Elementary
        : Gen.Frequency(
            (3, Elementary),
            (1, TypeGen(depth - 1).Select(AbiType.ArrayOf)),
            (1, TypeGen(depth - 1).SelectMany(t => Gen.Int[1, 3].Select(k => AbiType.FixedArrayOf(t, k)))),
            (1, TypeGen(depth - 1).Array[0, 4].Select(cs => AbiType.Tuple(cs))));

    /// <summary>A tuple of 1..5 components, each nested up to 3 deep: a function's parameter list.</summary>
    private static readonly Gen<AbiType> ParameterList = TypeGen(3).Array[1, 5].Select(cs => AbiType.Tuple(cs));

    private static readonly Gen<string> Text = Gen.String[Gen.Char["abcxyz 09\"\\\u00e9\u20ac\u4e2d"], 0, 40];

    private static Gen<object?> ValueGen(AbiType type) => type.Kind switch
    {
        AbiTypeKind.UInt => Gen.Byte.Array[type.Size / 8].Select(b => (object?)new BigInteger(b, isUnsigned: true, isBigEndian: true)),
        AbiTypeKind.Int => Gen.Byte.Array[type.Size / 8].Select(b => (object?)new BigInteger(b, isUnsigned: false, isBigEndian: true)),
        AbiTypeKind.Address => Gen.Byte.Array[20].Select(b => (object?)Address.FromBytes(b)),
        AbiTypeKind.Bool => Gen.Bool.Select(b => (object?)b),
        AbiTypeKind.FixedBytes or AbiTypeKind.Function => Gen.Byte.Array[type.Size].Select(b => (object?)b),
        AbiTypeKind.Bytes => Gen.Byte.Array[0, 70].Select(b => (object?)b),
        AbiTypeKind.String => Text.Select(s => (object?)s),
        AbiTypeKind.Array => ValueGen(type.Element!).Array[0, 3].Select(a => (object?)a),
        AbiTypeKind.FixedArray => ValueGen(type.Element!).Array[type.Length].Select(a => (object?)a),
        AbiTypeKind.Tuple => TupleGen(type).Select(a => (object?)a),
        _ => throw new InvalidOperationException(),
    };

    private static Gen<object?[]> TupleGen(AbiType tuple)
    {
        var gen = Gen.Const(Array.Empty<object?>());
        foreach (var c in tuple.Components)
        {
            var component = ValueGen(c);
            gen = gen.SelectMany(items => component.Select(v => (object?[])[.. items, v]));
        }
        return gen;
    }

    private static readonly Gen<(AbiType Type, object?[] Values)> Sample =
        ParameterList.SelectMany(t => TupleGen(t).Select(v => (t, v)));

    private static string Print((AbiType Type, object?[] Values) s) => $"{s.Type}: {AbiValueFormatter.Format(s.Type, s.Values)}";

    [Fact]
    public void Encode_then_decode_gives_the_values_back()
    {
        Sample.Sample(s =>
        {
            var encoded = AbiEncoder.Encode(s.Type.Components, s.Values);
            var decoded = AbiDecoder.Decode(s.Type.Components, encoded);
            AbiAssert.ValueEqual(s.Type, s.Values, decoded);
            Assert.Equal(Hex.Encode(encoded), Hex.Encode(AbiEncoder.Encode(s.Type.Components, decoded)));
        }, iter: 2000, print: Print);
    }

    [Fact]
    public void Canonical_names_parse_back_to_the_same_type()
    {
        ParameterList.Sample(t =>
        {
            var parsed = AbiType.Parse(t.CanonicalName);
            Assert.Equal(t, parsed);
            Assert.Equal(t.IsDynamic, parsed.IsDynamic);
            Assert.Equal(t.StaticSize, parsed.StaticSize);
        }, iter: 2000, print: t => t.CanonicalName);
    }

    [Fact]
    public void Static_types_encode_to_their_static_size()
    {
        Sample.Where(s => !s.Type.IsDynamic).Sample(s =>
            Assert.Equal(s.Type.StaticSize, AbiEncoder.Encode(s.Type.Components, s.Values).Length), iter: 500, print: Print);
    }

    [Fact]
    public void Truncated_or_corrupted_data_fails_only_with_format_errors()
    {
        var gen = Sample.SelectMany(s => Gen.Int[0, 1 << 20].SelectMany(cut => Gen.Int[0, 1 << 20].SelectMany(pos => Gen.Byte.Select(b => (s, cut, pos, b)))));
        gen.Sample(x =>
        {
            var (s, cut, pos, b) = x;
            var encoded = AbiEncoder.Encode(s.Type.Components, s.Values);
            var truncated = encoded.AsSpan(0, cut % (encoded.Length + 1)).ToArray();
            var corrupted = encoded.ToArray();
            if (corrupted.Length > 0) corrupted[pos % corrupted.Length] ^= (byte)(b | 1);
            foreach (var data in new[] { truncated, corrupted })
            {
                try
                {
                    AbiDecoder.Decode(s.Type.Components, data);
                }
                catch (EthereumFormatException)
                {
                    // Expected for most corruptions; anything else is a bug.
                }
            }
        }, iter: 2000, print: x => Print(x.s));
    }

    [Fact]
    public void Packed_encoding_of_static_elementary_values_concatenates_natural_sizes()
    {
        var gen = Elementary.Where(t => !t.IsDynamic).Array[1, 6].SelectMany(ts => TupleGen(AbiType.Tuple(ts)).Select(v => (ts, v)));
        gen.Sample(x =>
        {
            var packed = AbiPacked.Encode(x.ts, x.v);
            var expected = x.ts.Sum(t => t.Kind switch
            {
                AbiTypeKind.UInt or AbiTypeKind.Int => t.Size / 8,
                AbiTypeKind.Address => 20,
                AbiTypeKind.Bool => 1,
                _ => t.Size,
            });
            Assert.Equal(expected, packed.Length);
        }, iter: 500);
    }
}
