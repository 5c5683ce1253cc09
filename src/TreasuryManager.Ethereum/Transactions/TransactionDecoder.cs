using System.Numerics;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Rlp;

namespace TreasuryManager.Ethereum.Transactions;

/// <summary>
/// Decodes serialised transactions. The first byte tells the envelope (EIP-2718): 0xc0 and above
/// is an untyped legacy RLP list; 0x01 and 0x02 are typed; 0x03 (blobs) and later types are not
/// supported. Decoding is strict (canonical RLP, exact field counts, low-s signatures).
/// </summary>
public static class TransactionDecoder
{
    private const string What = "raw transaction";
    private const string Unsigned = "unsigned transaction";

    /// <summary>Decodes a raw signed transaction and recovers its sender.</summary>
    public static SignedTransaction DecodeSigned(ReadOnlySpan<byte> raw)
    {
        var (type, fields) = Envelope(raw);
        Transaction tx;
        Signature signature;
        switch (type)
        {
            case TransactionType.Legacy:
            {
                Expect(fields, 9, What, "a signed legacy transaction", "[nonce, gasPrice, gasLimit, to, value, data, v, r, s]");
                var v = Int(fields, 6, "v");
                signature = MakeSignature(Int(fields, 7, "r"), Int(fields, 8, "s"), v, legacy: true, out var chainId);
                tx = Legacy(fields, chainId);
                break;
            }
            case TransactionType.AccessList:
                Expect(fields, 11, What, "a signed type-1 (EIP-2930) transaction", "[chainId, nonce, gasPrice, gasLimit, to, value, data, accessList, yParity, r, s]");
                tx = Type1(fields);
                signature = MakeSignature(Int(fields, 9, "r"), Int(fields, 10, "s"), Int(fields, 8, "yParity"), legacy: false, out _);
                break;
            default:
                Expect(fields, 12, What, "a signed type-2 (EIP-1559) transaction", "[chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data, accessList, yParity, r, s]");
                tx = Type2(fields);
                signature = MakeSignature(Int(fields, 10, "r"), Int(fields, 11, "s"), Int(fields, 9, "yParity"), legacy: false, out _);
                break;
        }
        var sender = EcdsaSigner.RecoverAddress(tx.SigningHash(), signature);
        return new SignedTransaction(tx, signature, raw.ToArray(), sender);
    }

    /// <summary>Decodes an unsigned serialisation (the payload that is hashed for signing).</summary>
    public static Transaction DecodeUnsigned(ReadOnlySpan<byte> encoded)
    {
        var (type, fields) = Envelope(encoded, Unsigned);
        switch (type)
        {
            case TransactionType.Legacy:
                if (fields.Count == 6) return Legacy(fields, null);
                Expect(fields, 9, Unsigned, "an unsigned legacy transaction", "[nonce, gasPrice, gasLimit, to, value, data] or, with EIP-155, [..., chainId, 0, 0]");
                if (Int(fields, 7, "EIP-155 r placeholder") != 0 || Int(fields, 8, "EIP-155 s placeholder") != 0)
                    throw new EthereumFormatException("unsigned transaction: an unsigned EIP-155 transaction ends with [chainId, 0, 0], but the last two fields are not empty; is it signed?");
                var chainId = Int(fields, 6, "chainId");
                if (chainId.IsZero)
                    throw new EthereumFormatException("unsigned transaction: the EIP-155 chain id is 0; a replay-protected transaction needs a positive chain id.");
                return Legacy(fields, chainId);
            case TransactionType.AccessList:
                Expect(fields, 8, Unsigned, "an unsigned type-1 (EIP-2930) transaction", "[chainId, nonce, gasPrice, gasLimit, to, value, data, accessList]");
                return Type1(fields);
            default:
                Expect(fields, 9, Unsigned, "an unsigned type-2 (EIP-1559) transaction", "[chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data, accessList]");
                return Type2(fields);
        }
    }

    /// <summary>The envelope type of a serialised transaction, from its first byte.</summary>
    public static TransactionType TypeOf(ReadOnlySpan<byte> encoded, string what = What)
    {
        if (encoded.IsEmpty)
            throw new EthereumFormatException($"{what} is empty; give the serialised transaction bytes.");
        var first = encoded[0];
        if (first >= 0xc0) return TransactionType.Legacy;
        return first switch
        {
            0x01 => TransactionType.AccessList,
            0x02 => TransactionType.DynamicFee,
            0x03 => throw new NotSupportedException($"{what} is a type-3 (EIP-4844 blob, Cancun) transaction; blob transactions are not supported by TreasuryManager."),
            <= 0x7f => throw new NotSupportedException($"{what} is a type-{first} (0x{first:x2}) transaction envelope; only legacy, type 1 (EIP-2930) and type 2 (EIP-1559) are supported."),
            _ => throw new EthereumFormatException($"{what} starts with 0x{first:x2}, which is neither a transaction type (0x00–0x7f) nor an RLP list (0xc0 and above); check that it is a serialised transaction."),
        };
    }

    private static (TransactionType, RlpList) Envelope(ReadOnlySpan<byte> encoded, string what = What)
    {
        var type = TypeOf(encoded, what);
        var body = type == TransactionType.Legacy ? encoded : encoded[1..];
        var label = type == TransactionType.Legacy ? what : $"{what} (type {(int)type})";
        return (type, RlpCodec.DecodeList(body, label));
    }

    private static void Expect(RlpList fields, int count, string what, string kind, string layout)
    {
        if (fields.Count != count)
            throw new EthereumFormatException($"{what}: {kind} has {count} fields {layout}, but {fields.Count} were found.");
    }

    private static LegacyTransaction Legacy(RlpList f, BigInteger? chainId) => new()
    {
        ChainId = chainId,
        Nonce = Int(f, 0, "nonce"),
        GasPrice = Int(f, 1, "gasPrice"),
        GasLimit = Int(f, 2, "gasLimit"),
        To = To(f, 3),
        Value = Int(f, 4, "value"),
        Data = Bytes(f, 5, "data"),
    };

    private static AccessListTransaction Type1(RlpList f) => new()
    {
        ChainId = Int(f, 0, "chainId"),
        Nonce = Int(f, 1, "nonce"),
        GasPrice = Int(f, 2, "gasPrice"),
        GasLimit = Int(f, 3, "gasLimit"),
        To = To(f, 4),
        Value = Int(f, 5, "value"),
        Data = Bytes(f, 6, "data"),
        AccessList = AccessList(f, 7),
    };

    private static Eip1559Transaction Type2(RlpList f) => new()
    {
        ChainId = Int(f, 0, "chainId"),
        Nonce = Int(f, 1, "nonce"),
        MaxPriorityFeePerGas = Int(f, 2, "maxPriorityFeePerGas"),
        MaxFeePerGas = Int(f, 3, "maxFeePerGas"),
        GasLimit = Int(f, 4, "gasLimit"),
        To = To(f, 5),
        Value = Int(f, 6, "value"),
        Data = Bytes(f, 7, "data"),
        AccessList = AccessList(f, 8),
    };

    private static BigInteger Int(RlpList f, int index, string name) =>
        f[index].AsString($"{What} field {name}").ToInteger($"{What} field {name}");

    private static byte[] Bytes(RlpList f, int index, string name) => f[index].AsString($"{What} field {name}").Bytes;

    private static Address? To(RlpList f, int index)
    {
        var bytes = Bytes(f, index, "to");
        if (bytes.Length == 0) return null;
        if (bytes.Length != Address.Size)
            throw new EthereumFormatException($"{What} field to is {bytes.Length} bytes; it must be a 20-byte address, or empty for contract creation.");
        return Address.FromBytes(bytes);
    }

    private static List<AccessListEntry> AccessList(RlpList f, int index)
    {
        var entries = new List<AccessListEntry>();
        var list = f[index].AsList($"{What} field accessList");
        for (var i = 0; i < list.Count; i++)
        {
            var what = $"{What} accessList entry {i}";
            var entry = list[i].AsList(what);
            if (entry.Count != 2)
                throw new EthereumFormatException($"{what} has {entry.Count} items; each entry is [address, [storageKey, ...]].");
            var address = entry[0].AsString($"{what} address").Bytes;
            if (address.Length != Address.Size)
                throw new EthereumFormatException($"{what} address is {address.Length} bytes; it must be 20.");
            var keys = entry[1].AsList($"{what} storage keys").Items.Select((k, j) =>
            {
                var key = k.AsString($"{what} storage key {j}").Bytes;
                return key.Length == 32 ? key : throw new EthereumFormatException($"{what} storage key {j} is {key.Length} bytes; storage keys are 32.");
            });
            entries.Add(new AccessListEntry(Address.FromBytes(address), keys));
        }
        return entries;
    }

    private static Signature MakeSignature(BigInteger r, BigInteger s, BigInteger v, bool legacy, out BigInteger? chainId)
    {
        chainId = null;
        if (!legacy && v > 1)
            throw new EthereumFormatException($"{What}: yParity is {v}; a typed transaction's yParity is 0 or 1.");
        if (legacy && v < 27)
            throw new EthereumFormatException($"{What}: v is {v}; a legacy transaction's v is 27, 28, or chainId·2 + 35/36 (EIP-155).");
        if (r.IsZero || r >= Signature.Secp256k1Order || s.IsZero || s >= Signature.Secp256k1Order)
            throw new EthereumFormatException($"{What}: the signature's r or s is zero or not below the curve order; the transaction is not validly signed.");
        if (s > Signature.Secp256k1HalfOrder)
            throw new EthereumFormatException($"{What}: the signature has a high s (above n/2), which Ethereum rejects since EIP-2; the signer must normalise s.");
        return Signature.FromV(r, s, v, out chainId);
    }
}
