using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Tests.Vectors;

public class AccountVectorTests
{
    private static readonly System.Text.Json.JsonElement[] Accounts = VectorFile.Load("accounts.json.gz");
    private static readonly System.Text.Json.JsonElement[] Hashes = VectorFile.Load("hashes.json.gz");

    public static TheoryData<int, string> AccountCases => VectorFile.Cases("accounts.json.gz");
    public static TheoryData<int, string> HashCases => VectorFile.Cases("hashes.json.gz");

    [Theory]
    [MemberData(nameof(AccountCases))]
    public void Private_key_gives_the_checksummed_address(int index, string name)
    {
        _ = name;
        var c = Accounts[index];
        var key = EthKey.FromHex(c.Str("privateKey"));
        Assert.Equal(c.Str("address"), key.Address.ToString());
        Assert.Equal(key.Address, Address.Parse(c.Str("address")));
        Assert.Equal(key.Address, Address.Parse(c.Str("address").ToLowerInvariant()));
    }

    [Theory]
    [MemberData(nameof(HashCases))]
    public void Keccak256_matches(int index, string name)
    {
        _ = name;
        var c = Hashes[index];
        Assert.Equal(c.Str("keccak256"), Hex.Encode(Keccak256.Hash(Hex.Decode(c.Str("data")))));
    }
}
