using System.Text.Json;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.Rlp;

namespace TreasuryManager.Ethereum.Tests.Vectors;

/// <summary>ethers RLP vectors: "decoded" is nested arrays of hex strings; each case is checked both ways.</summary>
public class RlpVectorTests
{
    private static readonly JsonElement[] Cases = VectorFile.Load("rlp.json.gz");

    public static TheoryData<int, string> RlpCases => VectorFile.Cases("rlp.json.gz");

    [Theory]
    [MemberData(nameof(RlpCases))]
    public void Encoding_matches(int index, string name)
    {
        _ = name;
        var c = Cases[index];
        Assert.Equal(c.Str("encoded"), Hex.Encode(RlpCodec.Encode(ToItem(c.GetProperty("decoded")))));
    }

    [Theory]
    [MemberData(nameof(RlpCases))]
    public void Decoding_matches(int index, string name)
    {
        _ = name;
        var c = Cases[index];
        Assert.Equal(ToItem(c.GetProperty("decoded")), RlpCodec.Decode(Hex.Decode(c.Str("encoded"))));
    }

    internal static RlpItem ToItem(JsonElement e) => e.ValueKind == JsonValueKind.Array
        ? new RlpList(e.EnumerateArray().Select(ToItem))
        : new RlpString(Hex.Decode(e.GetString()!));
}
