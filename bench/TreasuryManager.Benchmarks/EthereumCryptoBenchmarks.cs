using BenchmarkDotNet.Attributes;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.Transactions;

namespace TreasuryManager.Benchmarks;

/// <summary>Keccak, ECDSA signing (RFC 6979, with recovery id), recovery, and signing a whole type-2 transaction.</summary>
[MemoryDiagnoser]
public class EthereumCryptoBenchmarks
{
    private EthKey _key = null!;
    private byte[] _hash = null!;
    private Signature _signature;
    private Eip1559Transaction _transaction = null!;
    private byte[] _raw = null!;

    [GlobalSetup]
    public void Setup()
    {
        _key = EthKey.FromHex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
        _hash = Keccak256.Hash("treasury transfer");
        _signature = _key.Sign(_hash);
        _transaction = new Eip1559Transaction
        {
            ChainId = 1,
            Nonce = 7,
            MaxPriorityFeePerGas = Units.ParseGwei("2"),
            MaxFeePerGas = Units.ParseGwei("30"),
            GasLimit = 65000,
            To = Address.Parse("0xdAC17F958D2ee523a2206206994597C13D831ec7"),
            Data = Hex.Decode("0xa9059cbb00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c800000000000000000000000000000000000000000000000000000000000f4240"),
        };
        _raw = _transaction.Sign(_key).Raw;
    }

    [Benchmark]
    public byte[] Keccak256Of32Bytes() => Keccak256.Hash(_hash);

    [Benchmark]
    public Signature SignHash() => _key.Sign(_hash);

    [Benchmark]
    public Address RecoverAddress() => EcdsaSigner.RecoverAddress(_hash, _signature);

    [Benchmark]
    public SignedTransaction SignType2Transaction() => _transaction.Sign(_key);

    [Benchmark]
    public SignedTransaction DecodeType2AndRecoverSender() => SignedTransaction.Decode(_raw);
}
