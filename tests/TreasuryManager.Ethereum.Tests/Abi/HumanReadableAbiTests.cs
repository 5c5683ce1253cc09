using TreasuryManager.Ethereum.Abi;

namespace TreasuryManager.Ethereum.Tests.Abi;

public class HumanReadableAbiTests
{
    [Fact]
    public void Parses_functions()
    {
        var f = AbiFunction.Parse("function transfer(address to, uint256 amount) external returns (bool)");
        Assert.Equal("transfer(address,uint256)", f.Signature);
        Assert.Equal("0xa9059cbb", f.SelectorHex);
        Assert.Equal(new[] { "to", "amount" }, f.Inputs.Select(p => p.Name));
        Assert.Equal(AbiType.Bool, Assert.Single(f.Outputs).Type);
        Assert.Equal("nonpayable", f.StateMutability);

        var bare = AbiFunction.Parse("balanceOf(address)");
        Assert.Equal("0x70a08231", bare.SelectorHex);
        Assert.Equal("", bare.Inputs[0].Name);

        var view = AbiFunction.Parse("function position(uint64 id) view returns ((address owner, int128 amount)[] legs, string memory memo)");
        Assert.True(view.IsReadOnly);
        Assert.Equal("(address,int128)[]", view.Outputs[0].Type.CanonicalName);
        Assert.Equal("legs", view.Outputs[0].Name);
        Assert.Equal(new string?[] { "owner", "amount" }, view.Outputs[0].Type.Element!.ComponentNames);
        Assert.Equal("memo", view.Outputs[1].Name);

        Assert.Equal("f((uint256,bool)[2])", AbiFunction.Parse("function f(tuple(uint a, bool b)[2] calldata xs) payable").Signature);
    }

    [Fact]
    public void Parses_events_and_errors()
    {
        var e = AbiEvent.Parse("event Transfer(address indexed from, address indexed to, uint256 value)");
        Assert.Equal("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef", e.Topic0Hex);
        Assert.Equal(2, e.IndexedCount);
        Assert.True(AbiEvent.Parse("event Ping(uint256) anonymous").Anonymous);
        var err = AbiError.Parse("error InsufficientBalance(uint256 available, uint256 required)");
        Assert.Equal("InsufficientBalance(uint256,uint256)", err.Signature);
    }

    [Fact]
    public void Builds_a_contract_abi()
    {
        var abi = ContractAbi.FromFragments(
            "constructor(address token, string name)",
            "function balanceOf(address owner) view returns (uint256)",
            "function transfer(address to, uint256 amount) returns (bool)",
            "event Transfer(address indexed from, address indexed to, uint256 value)",
            "error Unauthorized()",
            "receive() external payable");
        Assert.Equal(2, abi.Functions.Count);
        Assert.Single(abi.Events);
        Assert.Single(abi.Errors);
        Assert.Equal(2, abi.Constructor.Inputs.Count);
        Assert.True(abi.HasReceive);
        Assert.Equal(ContractAbi.Parse(ContractAbiTests.VaultAbi).GetFunction("transfer").Signature, abi.GetFunction("transfer").Signature);
    }

    [Theory]
    [InlineData("function transfer(address to uint256 amount)")]
    [InlineData("function f(uint7 x)")]
    [InlineData("function f(uint256 x")]
    [InlineData("function (uint256)")]
    [InlineData("function f(uint256) returnz (bool)")]
    [InlineData("function f(uint256[x])")]
    [InlineData("event E(uint256 indexed a, uint256 indexed b, uint256 indexed c, uint256 indexed d)")]
    public void Rejects_bad_fragments(string fragment)
    {
        var e = Assert.ThrowsAny<EthereumFormatException>(() => ContractAbi.FromFragments(fragment));
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }
}
