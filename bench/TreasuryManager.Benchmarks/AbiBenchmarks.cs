using System.Numerics;
using BenchmarkDotNet.Attributes;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Abi;

namespace TreasuryManager.Benchmarks;

/// <summary>ABI encode/decode of typical calls: an ERC-20 transfer and a struct-returning view.</summary>
[MemoryDiagnoser]
public class AbiBenchmarks
{
    private const string Abi = """
        [
          { "type": "function", "name": "transfer", "stateMutability": "nonpayable",
            "inputs": [ { "name": "to", "type": "address" }, { "name": "amount", "type": "uint256" } ],
            "outputs": [ { "name": "", "type": "bool" } ] },
          { "type": "function", "name": "positions", "stateMutability": "view", "inputs": [],
            "outputs": [ { "name": "", "type": "tuple[]", "components": [
                { "name": "owner", "type": "address" }, { "name": "amount", "type": "int128" }, { "name": "memo", "type": "string" } ] } ] },
          { "type": "event", "name": "Transfer", "anonymous": false, "inputs": [
              { "name": "from", "type": "address", "indexed": true },
              { "name": "to", "type": "address", "indexed": true },
              { "name": "value", "type": "uint256", "indexed": false } ] }
        ]
        """;

    private readonly AbiFunction _transfer;
    private readonly AbiFunction _positions;
    private readonly AbiEvent _transferEvent;
    private readonly Address _to = Address.Parse("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359");
    private readonly BigInteger _amount = BigInteger.Parse("123456789000000000000", System.Globalization.CultureInfo.InvariantCulture);
    private readonly byte[] _transferCall;
    private readonly byte[] _positionsOutput;
    private readonly byte[][] _logTopics;
    private readonly byte[] _logData;

    public AbiBenchmarks()
    {
        var abi = ContractAbi.Parse(Abi);
        _transfer = abi.GetFunction("transfer");
        _positions = abi.GetFunction("positions");
        _transferEvent = abi.GetEvent("Transfer");
        _transferCall = _transfer.EncodeCall(_to, _amount);
        var rows = Enumerable.Range(0, 10).Select(i => (object?)new object?[] { _to, new BigInteger(-i * 1000), $"position {i}" }).ToArray();
        _positionsOutput = _positions.EncodeOutput(new object?[] { rows });
        (_logTopics, _logData) = _transferEvent.EncodeLog(_to, _to, _amount);
    }

    [Benchmark]
    public byte[] EncodeTransferCall() => _transfer.EncodeCall(_to, _amount);

    [Benchmark]
    public object? DecodeTransferCall() => _transfer.DecodeCall(_transferCall);

    [Benchmark]
    public object?[] DecodeStructArrayOutput() => _positions.DecodeOutput(_positionsOutput);

    [Benchmark]
    public DecodedEvent DecodeTransferLog() => _transferEvent.DecodeLog(_logTopics, _logData);

    [Benchmark]
    public ContractAbi ParseAbi() => ContractAbi.Parse(Abi);
}
