using System.Numerics;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Tests.Abi;

public class ContractAbiTests
{
    internal const string VaultAbi = """
        [
          { "type": "constructor", "stateMutability": "nonpayable", "inputs": [
              { "name": "token", "type": "address", "internalType": "contract IERC20" },
              { "name": "name", "type": "string", "internalType": "string" } ] },
          { "type": "function", "name": "transfer", "stateMutability": "nonpayable",
            "inputs": [ { "name": "to", "type": "address" }, { "name": "amount", "type": "uint256" } ],
            "outputs": [ { "name": "", "type": "bool" } ] },
          { "type": "function", "name": "balanceOf", "stateMutability": "view",
            "inputs": [ { "name": "account", "type": "address" } ],
            "outputs": [ { "name": "", "type": "uint256" } ] },
          { "type": "function", "name": "deposit", "stateMutability": "payable", "inputs": [], "outputs": [] },
          { "type": "function", "name": "deposit", "stateMutability": "nonpayable",
            "inputs": [ { "name": "amount", "type": "uint256" } ], "outputs": [] },
          { "type": "function", "name": "position", "stateMutability": "view",
            "inputs": [ { "name": "id", "type": "uint64" } ],
            "outputs": [
              { "name": "pos", "type": "tuple", "internalType": "struct Vault.Position", "components": [
                  { "name": "owner", "type": "address" },
                  { "name": "legs", "type": "tuple[]", "components": [
                      { "name": "asset", "type": "address" }, { "name": "amount", "type": "int128" } ] },
                  { "name": "memo", "type": "string" } ] },
              { "name": "updatedAt", "type": "uint40" } ] },
          { "type": "event", "name": "Transfer", "anonymous": false, "inputs": [
              { "name": "from", "type": "address", "indexed": true },
              { "name": "to", "type": "address", "indexed": true },
              { "name": "value", "type": "uint256", "indexed": false } ] },
          { "type": "event", "name": "Tagged", "anonymous": false, "inputs": [
              { "name": "tag", "type": "string", "indexed": true },
              { "name": "ids", "type": "uint256[]", "indexed": true },
              { "name": "note", "type": "string", "indexed": false } ] },
          { "type": "error", "name": "InsufficientBalance", "inputs": [
              { "name": "available", "type": "uint256" }, { "name": "required", "type": "uint256" } ] },
          { "type": "error", "name": "Unauthorized", "inputs": [] },
          { "type": "receive", "stateMutability": "payable" }
        ]
        """;

    private static readonly Address Alice = Address.Parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    private static readonly Address Bob = Address.Parse("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359");

    [Fact]
    public void Parses_functions_events_errors_and_constructor()
    {
        var abi = ContractAbi.Parse(VaultAbi);
        Assert.Equal(5, abi.Functions.Count);
        Assert.Equal(2, abi.Events.Count);
        Assert.Equal(2, abi.Errors.Count);
        Assert.Equal(2, abi.Constructor.Inputs.Count);
        Assert.True(abi.HasReceive);
        Assert.False(abi.HasFallback);
        Assert.Equal(2, abi.GetFunctions("deposit").Count);
        Assert.True(abi.GetFunction("balanceOf").IsReadOnly);
        Assert.True(abi.GetFunction("deposit()").IsPayable);
        Assert.Equal("deposit(uint256)", abi.GetFunction("deposit(uint)").Signature);
        var e = Assert.Throws<KeyNotFoundException>(() => abi.GetFunction("deposit"));
        Assert.Contains("deposit(uint256)", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<KeyNotFoundException>(() => abi.GetFunction("withdraw"));
        Assert.Contains("balanceOf", e.Message, StringComparison.Ordinal);
        Assert.Equal("position(uint64)", abi.GetFunction("position").Signature);
    }

    [Fact]
    public void Accepts_a_hardhat_artifact()
    {
        var abi = ContractAbi.Parse($$"""{ "contractName": "Vault", "abi": {{VaultAbi}}, "bytecode": "0x6080" }""");
        Assert.Equal(5, abi.Functions.Count);
    }

    [Fact]
    public void Reports_bad_items()
    {
        var e = Assert.Throws<EthereumFormatException>(() => ContractAbi.Parse("""[ { "type": "function", "name": "f", "inputs": [ { "name": "x", "type": "uint7" } ] } ]"""));
        Assert.Contains("'f'", e.Message, StringComparison.Ordinal);
        Assert.Contains("uint7", e.Message, StringComparison.Ordinal);
        Assert.Throws<EthereumFormatException>(() => ContractAbi.Parse("{ nope"));
        Assert.Throws<EthereumFormatException>(() => ContractAbi.Parse("""{ "x": 1 }"""));
    }

    [Fact]
    public void Known_selectors_and_topics()
    {
        var abi = ContractAbi.Parse(VaultAbi);
        var transfer = abi.GetFunction("transfer");
        Assert.Equal("transfer(address,uint256)", transfer.Signature);
        Assert.Equal("0xa9059cbb", transfer.SelectorHex);
        Assert.Equal(new byte[] { 0xa9, 0x05, 0x9c, 0xbb }, transfer.Selector);
        Assert.Equal("0x70a08231", abi.GetFunction("balanceOf").SelectorHex);
        Assert.Equal("position(uint64)", abi.GetFunction("position").Signature);
        var ev = abi.GetEvent("Transfer");
        Assert.Equal("Transfer(address,address,uint256)", ev.Signature);
        Assert.Equal("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef", ev.Topic0Hex);
        Assert.Equal("0x08c379a0", AbiError.ErrorString.SelectorHex);
        Assert.Equal("0x4e487b71", AbiError.Panic.SelectorHex);
        Assert.Same(transfer, abi.FindFunction(transfer.EncodeCall(Bob, 1)));
    }

    [Fact]
    public void Encodes_calls_and_decodes_outputs()
    {
        var abi = ContractAbi.Parse(VaultAbi);
        var transfer = abi.GetFunction("transfer");
        var call = transfer.EncodeCall(Bob, BigInteger.Parse("1000000000000000000", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("0xa9059cbb000000000000000000000000fb6916095ca1df60bb79ce92ce3ea74c37c5d3590000000000000000000000000000000000000000000000000de0b6b3a7640000", Hex.Encode(call));
        var args = transfer.DecodeCall(call);
        Assert.Equal(Bob, args["to"]);
        Assert.Equal(BigInteger.Pow(10, 18), args.Get<BigInteger>("amount"));

        var output = transfer.DecodeOutput(Hex.Decode("0x0000000000000000000000000000000000000000000000000000000000000001"));
        Assert.Equal(new object?[] { true }, output);
        Assert.Throws<EthereumFormatException>(() => abi.GetFunction("balanceOf").DecodeOutput([]));
    }

    [Fact]
    public void Call_errors_name_the_function_and_parameter()
    {
        var transfer = ContractAbi.Parse(VaultAbi).GetFunction("transfer");
        var e = Assert.Throws<ArgumentException>(() => transfer.EncodeCall(Bob));
        Assert.Contains("transfer(address,uint256)", e.Message, StringComparison.Ordinal);
        Assert.Contains("2 argument", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => transfer.EncodeCall(Bob, -1));
        Assert.Contains("transfer", e.Message, StringComparison.Ordinal);
        Assert.Contains("'amount'", e.Message, StringComparison.Ordinal);
        Assert.Contains("-1", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => transfer.EncodeCall("not an address", 1));
        Assert.Contains("'to'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Round_trips_named_struct_outputs()
    {
        var position = ContractAbi.Parse(VaultAbi).GetFunction("position");
        var pos = new object?[] { Alice, new object?[] { new object?[] { Bob, new BigInteger(-5) }, new object?[] { Alice, new BigInteger(7) } }, "hedge" };
        var data = position.EncodeOutput(pos, 1_700_000_000L);
        var values = position.DecodeOutputValues(data);
        Assert.Equal(new BigInteger(1_700_000_000L), values["updatedAt"]);
        var decoded = (object?[])values["pos"]!;
        Assert.Equal(Alice, decoded[0]);
        Assert.Equal("hedge", decoded[2]);
        var tuple = position.Outputs[0].Type;
        Assert.Equal(2, tuple.IndexOfComponent("memo"));
        Assert.Equal("(owner=0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed, legs=[(asset=0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359, amount=-5), (asset=0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed, amount=7)], memo=\"hedge\")",
            AbiValueFormatter.Format(tuple, decoded));
        Assert.Equal("1700000000", values.ToDictionary()["updatedAt"]!.ToString());
        Assert.Throws<KeyNotFoundException>(() => values["nope"]);
    }

    [Fact]
    public void Decodes_a_transfer_log()
    {
        var abi = ContractAbi.Parse(VaultAbi);
        var ev = abi.GetEvent("Transfer");
        var topics = new List<byte[]>
        {
            Hex.Decode("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"),
            Hex.Decode("0x0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
            Hex.Decode("0x000000000000000000000000fb6916095ca1df60bb79ce92ce3ea74c37c5d359"),
        };
        var data = Hex.Decode("0x00000000000000000000000000000000000000000000000000000000000003e8");
        var decoded = ev.DecodeLog(topics, data);
        Assert.Equal("Transfer", decoded.Name);
        Assert.Equal(Alice, decoded["from"]);
        Assert.Equal(Bob, decoded["to"]);
        Assert.Equal(new BigInteger(1000), decoded["value"]);
        Assert.Equal(new[] { "from", "to", "value" }, decoded.Arguments.Pairs.Select(p => p.Name));

        Assert.True(abi.TryDecodeLog(topics, data, out var found));
        Assert.Equal(decoded.ToString(), found!.ToString());
        Assert.Equal("Transfer(from=0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed, to=0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359, value=1000)", found.ToString());

        // ERC-721 Transfer: same topic0, three indexed topics — not this event.
        var erc721 = new List<byte[]>(topics) { Hex.Decode("0x00000000000000000000000000000000000000000000000000000000000003e8") };
        Assert.False(abi.TryDecodeLog(erc721, [], out _));
        Assert.Throws<EthereumFormatException>(() => ev.DecodeLog(erc721, []));
        // Unknown topic0.
        Assert.False(abi.TryDecodeLog([new byte[32]], data, out _));
        Assert.False(abi.TryDecodeLog([], data, out _));

        var (encodedTopics, encodedData) = ev.EncodeLog(Alice, Bob, 1000);
        Assert.Equal(topics.Select(t => Hex.Encode(t)), encodedTopics.Select(t => Hex.Encode(t)));
        Assert.Equal(Hex.Encode(data), Hex.Encode(encodedData));
        var filter = ev.EncodeTopics(null, Bob);
        Assert.Equal(3, filter.Length);
        Assert.Null(filter[1]);
        Assert.Equal(Hex.Encode(topics[2]), Hex.Encode(filter[2]!));
    }

    [Fact]
    public void Indexed_dynamic_values_decode_to_their_topic_hash()
    {
        var ev = ContractAbi.Parse(VaultAbi).GetEvent("Tagged");
        var tagHash = Keccak256.Hash("payroll");
        var idsHash = Keccak256.Hash(AbiEncoder.Encode(["uint256", "uint256"], [1, 2]));
        var (topics, data) = ev.EncodeLog("payroll", idsHash, "monthly");
        Assert.Equal(Hex.Encode(tagHash), Hex.Encode(topics[1]));
        Assert.Equal(topics.Select(t => Hex.Encode(t)), ev.EncodeLog("payroll", new[] { 1, 2 }, "monthly").Topics.Select(t => Hex.Encode(t)));
        var decoded = ev.DecodeLog(topics, data);
        Assert.Equal(tagHash, (byte[])decoded["tag"]!);
        Assert.Equal(idsHash, (byte[])decoded["ids"]!);
        Assert.Equal("monthly", decoded["note"]);
    }

    [Fact]
    public void Custom_errors_encode_and_decode()
    {
        var abi = ContractAbi.Parse(VaultAbi);
        var error = abi.GetError("InsufficientBalance");
        Assert.Equal("InsufficientBalance(uint256,uint256)", error.Signature);
        Assert.Equal(Hex.Encode(Keccak256.Hash("InsufficientBalance(uint256,uint256)")[..4]), error.SelectorHex);
        var data = error.Encode(5, 10);
        Assert.Same(error, abi.FindError(data));
        var args = error.Decode(data);
        Assert.Equal(new BigInteger(5), args["available"]);
        Assert.Equal(new BigInteger(10), args["required"]);
        Assert.Throws<EthereumFormatException>(() => abi.GetError("Unauthorized").Decode(data));
    }

    [Fact]
    public void Constructor_arguments_follow_the_bytecode()
    {
        var ctor = ContractAbi.Parse(VaultAbi).Constructor;
        var bytecode = Hex.Decode("0x6080604052");
        var deploy = ctor.EncodeDeployment(bytecode, Alice, "Treasury");
        Assert.Equal(bytecode, deploy[..5]);
        Assert.Equal(Hex.Encode(AbiEncoder.Encode(["address", "string"], [Alice, "Treasury"])), Hex.Encode(deploy[5..]));
        Assert.Equal("Treasury", ctor.DecodeArguments(deploy[5..])["name"]);
        var e = Assert.Throws<ArgumentException>(() => ctor.EncodeDeployment(bytecode, Alice));
        Assert.Contains("constructor", e.Message, StringComparison.Ordinal);
        Assert.Empty(ContractAbi.Parse("[]").Constructor.Inputs);
    }
}
