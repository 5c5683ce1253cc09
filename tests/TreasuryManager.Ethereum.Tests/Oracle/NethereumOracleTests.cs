using System.Numerics;
using CsCheck;
using Nethereum.ABI;
using Nethereum.ABI.FunctionEncoding;
using Transaction1559 = Nethereum.Model.Transaction1559;
using Transaction2930 = Nethereum.Model.Transaction2930;
using SignedTransaction = TreasuryManager.Ethereum.Transactions.SignedTransaction;
using Nethereum.Signer;
using Nethereum.Util;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.Rlp;
using TreasuryManager.Ethereum.Transactions;
using NAccessListItem = Nethereum.Model.AccessListItem;
using NRlp = Nethereum.RLP.RLP;
using NSignature = Nethereum.Model.Signature;

namespace TreasuryManager.Ethereum.Tests.Oracle;

/// <summary>
/// Nethereum as an independent oracle: on random inputs our signed transactions (legacy with and without EIP-155,
/// EIP-2930, EIP-1559), their hashes and senders, RLP, ABI encodings and Keccak-256 must equal Nethereum's byte for
/// byte. Both sign with RFC 6979 (HMAC-SHA256) nonces and low s, so even the signatures must agree. Nethereum is a
/// test-only dependency: the keeper signs and sends with our own code.
/// </summary>
public class NethereumOracleTests
{
    private const int Iterations = 100; // Nethereum signs and recovers slowly (no precomputed tables): about 10 s for all cases

    private static readonly Gen<byte[]> Keys = Gen.Byte.Array[32].Where(k => Secp256k1.IsValidPrivateKey(k));
    private static readonly Gen<Address> Addresses = Gen.Byte.Array[20].Select(b => Address.FromBytes(b));

    /// <summary>0, small values and values up to <paramref name="bytes"/> bytes wide (RLP's edge cases: 0, &lt; 0x80, one byte, many).</summary>
    private static Gen<BigInteger> Unsigned(int bytes) => Gen.OneOf(
        Gen.Const(BigInteger.Zero),
        Gen.Int[1, 300].Select(i => new BigInteger(i)),
        Gen.Byte.Array[1, bytes].Select(b => new BigInteger(b, isUnsigned: true, isBigEndian: true)));

    /// <summary>A recipient, or none (contract creation).</summary>
    private static readonly Gen<Address?> MaybeAddresses = Gen.Frequency((1, Gen.Const((Address?)null)), (4, Addresses.Select(a => (Address?)a)));

    private static readonly Gen<byte[]> Data = Gen.OneOf(Gen.Byte.Array[0, 3], Gen.Byte.Array[0, 200]);

    private static readonly Gen<AccessListEntry[]> AccessLists =
        Gen.Select(Addresses, Gen.Byte.Array[32].Array[0, 3], (a, keys) => new AccessListEntry(a, keys)).Array[0, 3];

    private static readonly Gen<BigInteger> ChainIds = Gen.OneOf(Gen.Const(BigInteger.One), Gen.Const(new BigInteger(31337)), Unsigned(6).Where(c => c > 0));

    private static string Hex0x(byte[] bytes) => Hex.Encode(bytes);

    private static List<NAccessListItem> ToNethereum(IEnumerable<AccessListEntry> list) =>
        list.Select(e => new NAccessListItem(e.Address.ToString(), e.StorageKeys.Select(k => k.ToArray()).ToList())).ToList();

    private static void AssertSenderAndHash(SignedTransaction ours, EthKey key)
    {
        Assert.Equal(key.Address, ours.Sender);
        Assert.Equal(Hex0x(Sha3Keccack.Current.CalculateHash(ours.Raw)), ours.HashHex);
        var recovered = new TransactionVerificationAndRecoveryImp().GetSenderAddress(ours.RawHex);
        Assert.Equal(key.Address, Address.Parse(recovered.ToLowerInvariant()));
    }

    [Fact]
    public void Legacy_transactions_sign_like_nethereum_with_and_without_eip155() =>
        Gen.Select(Keys, Gen.Select(Unsigned(8), Unsigned(16), Unsigned(8), Addresses, Unsigned(32), Data), Gen.Bool, ChainIds)
            .Sample((keyBytes, fields, eip155, chainId) =>
            {
                var (nonce, gasPrice, gasLimit, to, value, data) = fields;
                var key = new EthKey(keyBytes);
                var ours = new LegacyTransaction
                {
                    Nonce = nonce, GasPrice = gasPrice, GasLimit = gasLimit, To = to, Value = value, Data = data,
                    ChainId = eip155 ? chainId : null,
                }.Sign(key);
                var signer = new LegacyTransactionSigner();
                var theirs = eip155
                    ? signer.SignTransaction(keyBytes, chainId, to.ToString(), value, nonce, gasPrice, gasLimit, Hex0x(data))
                    : signer.SignTransaction(keyBytes, to.ToString(), value, nonce, gasPrice, gasLimit, Hex0x(data));
                Assert.Equal(Hex.Encode(Hex.Decode(theirs)), ours.RawHex);
                AssertSenderAndHash(ours, key);
            }, iter: Iterations);

    [Fact]
    public void Eip2930_transactions_sign_like_nethereum() =>
        Gen.Select(Keys, Gen.Select(ChainIds, Unsigned(8), Unsigned(16), Unsigned(8), MaybeAddresses, Unsigned(32)), Data, AccessLists)
            .Sample((keyBytes, fields, data, accessList) =>
            {
                var (chainId, nonce, gasPrice, gasLimit, to, value) = fields;
                var key = new EthKey(keyBytes);
                var ours = new AccessListTransaction
                {
                    ChainId = chainId, Nonce = nonce, GasPrice = gasPrice, GasLimit = gasLimit, To = to, Value = value, Data = data,
                    AccessList = accessList,
                }.Sign(key);

                var unsigned = new Transaction2930(chainId, nonce, gasPrice, gasLimit, to?.ToString(), value, Hex0x(data), ToNethereum(accessList));
                Assert.Equal(Hex0x(unsigned.RawHash), Hex0x(Keccak256.Hash(ours.Transaction.EncodeUnsigned())));
                var signature = new EthECKey(keyBytes, true).SignAndCalculateYParityV(unsigned.RawHash);
                var signed = new Transaction2930(chainId, nonce, gasPrice, gasLimit, to?.ToString(), value, Hex0x(data), ToNethereum(accessList),
                    new NSignature(signature.R, signature.S, signature.V));
                Assert.Equal(Hex0x(signed.GetRLPEncoded()), ours.RawHex);
                AssertSenderAndHash(ours, key);
            }, iter: Iterations);

    [Fact]
    public void Eip1559_transactions_sign_like_nethereum() =>
        Gen.Select(Keys, Gen.Select(ChainIds, Unsigned(8), Unsigned(16), Unsigned(16), Unsigned(8), MaybeAddresses), Gen.Select(Unsigned(32), Data), AccessLists)
            .Sample((keyBytes, fields, valueAndData, accessList) =>
            {
                var (chainId, nonce, tip, maxFee, gasLimit, to) = fields;
                var (value, data) = valueAndData;
                var key = new EthKey(keyBytes);
                var ours = new Eip1559Transaction
                {
                    ChainId = chainId, Nonce = nonce, MaxPriorityFeePerGas = tip, MaxFeePerGas = maxFee, GasLimit = gasLimit, To = to,
                    Value = value, Data = data, AccessList = accessList,
                }.Sign(key);
                var theirs = new Transaction1559Signer().SignTransaction(new EthECKey(keyBytes, true),
                    new Transaction1559(chainId, nonce, tip, maxFee, gasLimit, to?.ToString(), value, Hex0x(data), ToNethereum(accessList)));
                Assert.Equal(Hex.Encode(Hex.Decode(theirs)), ours.RawHex);
                AssertSenderAndHash(ours, key);
            }, iter: Iterations);

    [Fact]
    public void Signatures_and_recovered_addresses_match_nethereum_on_random_hashes() =>
        Gen.Select(Keys, Gen.Byte.Array[32]).Sample((keyBytes, hash) =>
        {
            var ours = new EthKey(keyBytes).Sign(hash);
            var theirs = new EthECKey(keyBytes, true).SignAndCalculateYParityV(hash);
            var theirParity = theirs.V.Length == 0 ? 0 : theirs.V[^1];
            Assert.Equal(Hex0x(theirs.R.Length == 32 ? theirs.R : BigEndian.ToFixedBytes(new BigInteger(theirs.R, isUnsigned: true, isBigEndian: true))), Hex0x(ours.RBytes));
            Assert.Equal(Hex0x(theirs.S.Length == 32 ? theirs.S : BigEndian.ToFixedBytes(new BigInteger(theirs.S, isUnsigned: true, isBigEndian: true))), Hex0x(ours.SBytes));
            Assert.Equal(theirParity, ours.YParity);
            var recovered = EthECKey.RecoverFromParityYSignature(theirs, hash).GetPublicAddress();
            Assert.Equal(EcdsaSigner.RecoverAddress(hash, ours), Address.Parse(recovered.ToLowerInvariant()));
        }, iter: Iterations);

    [Fact]
    public void Keccak256_matches_nethereum() =>
        Gen.OneOf(Gen.Byte.Array[0, 8], Gen.Byte.Array[130, 140], Gen.Byte.Array[0, 600]).Sample(data =>
            Assert.Equal(Hex0x(Sha3Keccack.Current.CalculateHash(data)), Hex0x(Keccak256.Hash(data))), iter: 2000);

    private static Gen<RlpItem> RlpItems(int depth)
    {
        var strings = Gen.OneOf(Gen.Byte.Array[0, 1], Gen.Byte.Array[0, 60], Gen.Byte.Array[50, 70], Gen.Byte.Array[250, 300])
            .Select(b => (RlpItem)new RlpString(b));
        return depth == 0 ? strings : Gen.Frequency((3, strings), (1, RlpItems(depth - 1).Array[0, 5].Select(items => (RlpItem)new RlpList(items))));
    }

    private static byte[] NethereumEncode(RlpItem item) => item switch
    {
        RlpString s => NRlp.EncodeElement(s.Bytes),
        RlpList l => NRlp.EncodeList(l.Items.Select(NethereumEncode).ToArray()),
        _ => throw new InvalidOperationException(),
    };

    [Fact]
    public void Rlp_encodings_match_nethereum() =>
        RlpItems(3).Sample(item =>
        {
            var ours = RlpCodec.Encode(item);
            Assert.Equal(Hex0x(NethereumEncode(item)), Hex0x(ours));
            Assert.Equal(item, RlpCodec.Decode(ours));
        }, iter: 2000);

    [Fact]
    public void Rlp_integers_match_nethereum() =>
        Unsigned(32).Sample(value =>
            Assert.Equal(Hex0x(NRlp.EncodeElement(Nethereum.RLP.ConvertorForRLPEncodingExtensions.ToBytesForRLPEncoding(value))), Hex0x(RlpCodec.EncodeInteger(value))), iter: 1000);

    private static readonly Gen<AbiType> AbiElementary = Gen.OneOf(
        Gen.Int[1, 32].Select(n => AbiType.UInt(n * 8)),
        Gen.Int[1, 32].Select(n => AbiType.Int(n * 8)),
        Gen.Const(AbiType.Address),
        Gen.Const(AbiType.Bool),
        Gen.Int[1, 32].Select(AbiType.FixedBytes),
        Gen.Const(AbiType.Bytes),
        Gen.Const(AbiType.String));

    /// <summary>Elementary types, dynamic arrays of them, fixed arrays and one level of tuples of elementary types.</summary>
    private static readonly Gen<AbiType> AbiTypes = Gen.Frequency(
        (4, AbiElementary),
        (2, AbiElementary.Select(AbiType.ArrayOf)),
        (1, AbiElementary.SelectMany(t => Gen.Int[1, 3].Select(k => AbiType.FixedArrayOf(t, k)))),
        (1, AbiElementary.Array[1, 4].Select(cs => AbiType.Tuple(cs))));

    private static readonly Gen<string> Text = Gen.String[Gen.Char["abcxyz 09\"\\\u00e9\u20ac\u4e2d"], 0, 70];

    /// <summary>A value for <paramref name="type"/>: ours and the same value as Nethereum takes it.</summary>
    private static Gen<(object? Ours, object? Theirs)> AbiValue(AbiType type) => type.Kind switch
    {
        AbiTypeKind.UInt => Gen.Byte.Array[1, type.Size / 8].Select(b => { var v = new BigInteger(b, isUnsigned: true, isBigEndian: true); return ((object?)v, (object?)v); }),
        AbiTypeKind.Int => Gen.Byte.Array[1, type.Size / 8].Select(b => { var v = new BigInteger(b, isUnsigned: false, isBigEndian: true); return ((object?)v, (object?)v); }),
        AbiTypeKind.Address => Addresses.Select(a => ((object?)a, (object?)a.ToString())),
        AbiTypeKind.Bool => Gen.Bool.Select(b => ((object?)b, (object?)b)),
        AbiTypeKind.FixedBytes => Gen.Byte.Array[type.Size].Select(b => ((object?)b, (object?)b.ToArray())),
        AbiTypeKind.Bytes => Gen.Byte.Array[0, 80].Select(b => ((object?)b, (object?)b.ToArray())),
        AbiTypeKind.String => Text.Select(s => ((object?)s, (object?)s)),
        AbiTypeKind.Array => AbiValue(type.Element!).Array[0, 4].Select(Split),
        AbiTypeKind.FixedArray => AbiValue(type.Element!).Array[type.Length].Select(Split),
        // Nethereum takes a tuple's value as an object[] of its components' values.
        AbiTypeKind.Tuple => AbiTuple(type.Components).Select(v => ((object?)v.Ours, (object?)v.Theirs)),
        _ => throw new InvalidOperationException($"no generator for {type}"),
    };

    private static (object? Ours, object? Theirs) Split((object? Ours, object? Theirs)[] items) =>
        (items.Select(i => i.Ours).ToArray(), items.Select(i => i.Theirs).ToList());

    private static Gen<(object?[] Ours, object?[] Theirs)> AbiTuple(IReadOnlyList<AbiType> types)
    {
        var gen = Gen.Const((Ours: Array.Empty<object?>(), Theirs: Array.Empty<object?>()));
        foreach (var t in types)
        {
            var value = AbiValue(t);
            gen = gen.SelectMany(acc => value.Select(v => ((object?[])[.. acc.Ours, v.Ours], (object?[])[.. acc.Theirs, v.Theirs])));
        }
        return gen;
    }

    private static ABIType NethereumType(AbiType type)
    {
        if (type.Kind != AbiTypeKind.Tuple) return ABIType.CreateABIType(type.CanonicalName);
        var tuple = new TupleType();
        tuple.SetComponents(ComponentParameters(type));
        return tuple;
    }

    private static Nethereum.ABI.Model.Parameter[] ComponentParameters(AbiType tuple) =>
        tuple.Components.Select((c, i) => new Nethereum.ABI.Model.Parameter(c.CanonicalName, $"c{i}", i + 1, null!, null!)).ToArray();

    [Fact]
    public void Abi_encodings_match_nethereum() =>
        AbiTypes.Array[1, 5].SelectMany(types => AbiTuple(types).Select(values => (types, values)))
            .Sample(sample =>
            {
                var ours = AbiEncoder.Encode(sample.types, sample.values.Ours);
                var theirs = new ParametersEncoder().EncodeAbiTypes(sample.types.Select(NethereumType).ToArray(), sample.values.Theirs!);
                Assert.Equal(Hex0x(theirs), Hex0x(ours));
            }, iter: 1000, print: s => $"({string.Join(",", s.types.Select(t => t.CanonicalName))}): {AbiValueFormatter.Format(AbiType.Tuple(s.types.ToArray()), s.values.Ours)}");
}
