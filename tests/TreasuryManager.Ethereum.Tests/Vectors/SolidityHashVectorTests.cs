using System.Text.Json;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Tests.Vectors;

public class SolidityHashVectorTests
{
    private static readonly JsonElement[] Hashes = VectorFile.Load("solidity-hashes.json.gz");

    public static TheoryData<int, string> HashCases => VectorFile.Cases("solidity-hashes.json.gz");

    [Theory]
    [MemberData(nameof(HashCases))]
    public void Packed_keccak256_matches(int index, string name)
    {
        _ = name;
        var c = Hashes[index];
        var types = c.GetProperty("types").EnumerateArray().Select(t => AbiType.Parse(t.GetString()!)).ToArray();
        var values = c.GetProperty("values").EnumerateArray().Select((v, i) => AbiJsonValues.ToValue(types[i], v)).ToArray();
        Assert.Equal(c.Str("keccak256"), Hex.Encode(AbiPacked.Keccak256(types, values)));
    }
}
