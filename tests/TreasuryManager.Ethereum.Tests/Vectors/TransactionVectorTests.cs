using System.Globalization;
using System.Numerics;
using System.Text.Json;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.Transactions;
using Xunit.Abstractions;

namespace TreasuryManager.Ethereum.Tests.Vectors;

/// <summary>
/// ethers v6 transaction vectors: each case carries one transaction in up to five variants
/// (Legacy, Eip155, Berlin, London, Cancun); a variant with an empty serialisation does not apply.
/// Every Legacy/Eip155/Berlin/London variant present is one theory row; Cancun (type 3, blobs)
/// is unsupported and counted by <see cref="Cancun_variants_are_excluded_as_unsupported"/>.
/// </summary>
public class TransactionVectorTests(ITestOutputHelper output)
{
    private static readonly JsonElement[] Cases = VectorFile.Load("transactions.json.gz");
    private static readonly string[] SupportedVariants = ["Legacy", "Eip155", "Berlin", "London"];

    public static TheoryData<int, string, string> Variants
    {
        get
        {
            var data = new TheoryData<int, string, string>();
            for (var i = 0; i < Cases.Length; i++)
                foreach (var variant in SupportedVariants)
                    if (Cases[i].Str("signed" + variant).Length > 0)
                        data.Add(i, Cases[i].Str("name"), variant);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Unsigned_serialisation_matches(int index, string name, string variant)
    {
        _ = name;
        var c = Cases[index];
        var tx = Build(c.GetProperty("transaction"), variant);
        Assert.Equal(c.Str("unsigned" + variant), Hex.Encode(tx.EncodeUnsigned()));
        Assert.Equal(tx, Transaction.DecodeUnsigned(Hex.Decode(c.Str("unsigned" + variant))));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Signing_reproduces_the_exact_signed_bytes(int index, string name, string variant)
    {
        _ = name;
        var c = Cases[index];
        var key = EthKey.FromHex(c.Str("privateKey"));
        var signed = Build(c.GetProperty("transaction"), variant).Sign(key);

        var expected = c.GetProperty("signature" + variant);
        Assert.Equal(Quantity.Decode(expected.Str("r")), signed.Signature.R);
        Assert.Equal(Quantity.Decode(expected.Str("s")), signed.Signature.S);
        var v = Quantity.Decode(expected.Str("v"));
        Assert.Equal(v, variant switch
        {
            "Legacy" => signed.Signature.LegacyV,
            "Eip155" => signed.Signature.Eip155V(((LegacyTransaction)signed.Transaction).ChainId!.Value),
            _ => (BigInteger)signed.Signature.YParity,
        });
        Assert.Equal(c.Str("signed" + variant), signed.RawHex);
        Assert.Equal(Hex.Encode(Keccak256.Hash(signed.Raw)), signed.HashHex);
        Assert.Equal(key.Address, signed.Sender);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Decoding_gives_the_fields_and_recovers_the_sender(int index, string name, string variant)
    {
        _ = name;
        var c = Cases[index];
        var expectedTx = Build(c.GetProperty("transaction"), variant);
        var decoded = SignedTransaction.Decode(c.Str("signed" + variant));

        Assert.Equal(expectedTx, decoded.Transaction);
        Assert.Equal(EthKey.FromHex(c.Str("privateKey")).Address, decoded.Sender);
        Assert.Equal(c.Str("signed" + variant), decoded.RawHex);
        Assert.Equal(c.Str("signed" + variant), Hex.Encode(decoded.Transaction.EncodeSigned(decoded.Signature)));
        Assert.Equal(Quantity.Decode(c.GetProperty("signature" + variant).Str("r")), decoded.Signature.R);
        Assert.Equal(Quantity.Decode(c.GetProperty("signature" + variant).Str("s")), decoded.Signature.S);
    }

    [Fact]
    public void Cancun_variants_are_excluded_as_unsupported()
    {
        var cancun = Cases.Where(c => c.Str("signedCancun").Length > 0).ToArray();
        output.WriteLine($"Skipped {cancun.Length} Cancun (type 3, EIP-4844 blob) variants of {Cases.Length} cases: blob transactions are not supported by TreasuryManager.Ethereum.");
        Assert.Equal(Cases.Count(c => c.Str("unsignedCancun").Length > 0), cancun.Length);
        foreach (var c in cancun)
        {
            var error = Assert.Throws<NotSupportedException>(() => SignedTransaction.Decode(c.Str("signedCancun")));
            Assert.Contains("type-3", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_file_holds_cases_of_every_supported_variant()
    {
        foreach (var variant in SupportedVariants)
            Assert.Contains(Cases, c => c.Str("signed" + variant).Length > 0);
    }

    /// <summary>The case's transaction as the given variant; missing fields default as ethers does.</summary>
    internal static Transaction Build(JsonElement t, string variant)
    {
        var nonce = Num(t, "nonce");
        var gasLimit = Num(t, "gasLimit");
        Address? to = t.TryGetProperty("to", out var toElement) && toElement.ValueKind == JsonValueKind.String ? Address.Parse(toElement.GetString()!) : null;
        var value = Num(t, "value");
        var data = t.TryGetProperty("data", out var d) ? Hex.Decode(d.GetString()!) : [];
        var chainId = Num(t, "chainId");
        var accessList = t.TryGetProperty("accessList", out var al)
            ? al.EnumerateArray().Select(e => new AccessListEntry(Address.Parse(e.Str("address")),
                e.GetProperty("storageKeys").EnumerateArray().Select(k => Hex.Decode(k.GetString()!)))).ToList()
            : [];
        return variant switch
        {
            "Legacy" => new LegacyTransaction { Nonce = nonce, GasPrice = Num(t, "gasPrice"), GasLimit = gasLimit, To = to, Value = value, Data = data },
            "Eip155" => new LegacyTransaction { ChainId = chainId, Nonce = nonce, GasPrice = Num(t, "gasPrice"), GasLimit = gasLimit, To = to, Value = value, Data = data },
            "Berlin" => new AccessListTransaction { ChainId = chainId, Nonce = nonce, GasPrice = Num(t, "gasPrice"), GasLimit = gasLimit, To = to, Value = value, Data = data, AccessList = accessList },
            "London" => new Eip1559Transaction
            {
                ChainId = chainId, Nonce = nonce, MaxPriorityFeePerGas = Num(t, "maxPriorityFeePerGas"), MaxFeePerGas = Num(t, "maxFeePerGas"),
                GasLimit = gasLimit, To = to, Value = value, Data = data, AccessList = accessList,
            },
            _ => throw new ArgumentException($"Unknown variant {variant}", nameof(variant)),
        };
    }

    private static BigInteger Num(JsonElement t, string name)
    {
        if (!t.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return BigInteger.Zero;
        if (e.ValueKind == JsonValueKind.Number) return BigInteger.Parse(e.GetRawText(), CultureInfo.InvariantCulture);
        var text = e.GetString()!;
        if (text is "0x" or "") return BigInteger.Zero;
        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? Quantity.Decode(text, name) : BigInteger.Parse(text, CultureInfo.InvariantCulture);
    }
}
