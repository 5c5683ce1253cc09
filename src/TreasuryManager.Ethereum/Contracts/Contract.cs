using System.Numerics;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.JsonRpc;

namespace TreasuryManager.Ethereum.Contracts;

/// <summary>A mined transaction to a contract, with the events it emitted decoded with the contract's ABI.</summary>
public sealed record ContractReceipt(TransactionReceipt Receipt, IReadOnlyList<DecodedEvent> Events)
{
    /// <summary>The one event named <paramref name="name"/>; an error if there is none or several.</summary>
    public DecodedEvent Single(string name)
    {
        var matches = Events.Where(e => e.Name == name).ToArray();
        return matches.Length == 1 ? matches[0]
            : throw new InvalidOperationException($"Expected one {name} event in transaction {Receipt.TransactionHash}, found {matches.Length}.");
    }
}

/// <summary>A call or transaction to a contract reverted; <see cref="Reason"/> is decoded with the contract's ABI.</summary>
public sealed class ContractRevertException(string contractName, Address address, string function, RevertReason reason, Exception? inner = null)
    : Exception($"{contractName}.{function} at {address} {reason.Message}", inner)
{
    public string ContractName { get; } = contractName;
    public Address Address { get; } = address;
    public string Function { get; } = function;
    public RevertReason Reason { get; } = reason;

    /// <summary>The custom error's name, "Error" for a reason string, "Panic" for a panic, or null.</summary>
    public string? ErrorName => Reason.ErrorName;
}

/// <summary>
/// A deployed contract: calls (eth_call) and transactions by function name with ABI-encoded
/// arguments, reverts decoded from its ABI (reason strings, panics, custom errors), events decoded
/// from receipts. The generated typed bindings are thin wrappers over this class.
/// </summary>
public sealed class Contract
{
    public Contract(EthClient eth, Address address, ContractAbi abi, string name = "contract")
    {
        ArgumentNullException.ThrowIfNull(eth);
        ArgumentNullException.ThrowIfNull(abi);
        Eth = eth;
        Address = address;
        Abi = abi;
        Name = name;
    }

    public EthClient Eth { get; }
    public Address Address { get; }
    public ContractAbi Abi { get; }
    public string Name { get; }

    /// <summary>Deploys <paramref name="artifact"/> with constructor arguments and waits for it to be mined.</summary>
    public static async Task<(Contract Contract, TransactionReceipt Receipt)> DeployAsync(AccountSender sender, HardhatArtifact artifact, object?[] constructorArgs, BigInteger value = default, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(artifact);
        var data = artifact.Abi.Constructor.EncodeDeployment(artifact.Bytecode, constructorArgs);
        var request = new TransactionRequest { To = null, Data = data, Value = value };
        TransactionReceipt receipt;
        try
        {
            receipt = await sender.SendAndWaitAsync(request, ct: ct).ConfigureAwait(false);
        }
        catch (ExecutionRevertedException e)
        {
            throw new ContractRevertException(artifact.ContractName, Address.Zero, "constructor", RevertDecoder.Decode(e.RevertData, artifact.Abi), e);
        }
        if (!receipt.Succeeded || receipt.ContractAddress is null)
            throw new InvalidOperationException($"Deploying {artifact.ContractName} failed in transaction {receipt.TransactionHash} (status 0).");
        return (new Contract(sender.Eth, receipt.ContractAddress.Value, artifact.Abi, artifact.ContractName), receipt);
    }

    public AbiFunction Function(string nameOrSignature) => Abi.GetFunction(nameOrSignature);

    /// <summary>Calls a function with eth_call and decodes its outputs. A revert throws <see cref="ContractRevertException"/>.</summary>
    public async Task<AbiValues> CallAsync(string function, object?[] args, Address? from = null, BlockTag? block = null, CancellationToken ct = default)
    {
        var abiFunction = Function(function);
        var call = new CallRequest { From = from, To = Address, Data = abiFunction.EncodeCall(args) };
        try
        {
            var output = await Eth.CallAsync(call, block, ct).ConfigureAwait(false);
            return abiFunction.DecodeOutputValues(output);
        }
        catch (ExecutionRevertedException e)
        {
            throw Reverted(abiFunction.Name, e);
        }
    }

    /// <summary>Encodes a call to <paramref name="function"/> (for batching or simulation).</summary>
    public byte[] EncodeCall(string function, params object?[] args) => Function(function).EncodeCall(args);

    /// <summary>
    /// Sends a transaction calling <paramref name="function"/> and waits for its receipt. The gas
    /// estimate simulates the call first, so a call that would revert throws
    /// <see cref="ContractRevertException"/> with the decoded reason and nothing is sent.
    /// </summary>
    public async Task<ContractReceipt> SendAsync(AccountSender sender, string function, object?[] args, BigInteger value = default, long? gasLimit = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        var abiFunction = Function(function);
        var request = new TransactionRequest { To = Address, Data = abiFunction.EncodeCall(args), Value = value, GasLimit = gasLimit };
        TransactionReceipt receipt;
        try
        {
            receipt = await sender.SendAndWaitAsync(request, ct: ct).ConfigureAwait(false);
        }
        catch (ExecutionRevertedException e)
        {
            throw Reverted(abiFunction.Name, e);
        }
        if (!receipt.Succeeded)
        {
            // Mined but reverted (possible when the gas limit was given): replay it for the reason.
            var replay = new CallRequest { From = sender.Address, To = Address, Data = request.Data, Value = value };
            try
            {
                await Eth.CallAsync(replay, BlockTag.Number(receipt.BlockNumber - 1), ct).ConfigureAwait(false);
            }
            catch (ExecutionRevertedException e)
            {
                throw Reverted(abiFunction.Name, e);
            }
            throw new ContractRevertException(Name, Address, abiFunction.Name, RevertDecoder.Decode([], Abi));
        }
        return new ContractReceipt(receipt, DecodeEvents(receipt));
    }

    /// <summary>The events this contract emitted in <paramref name="receipt"/>, decoded with its ABI (unknown logs skipped).</summary>
    public IReadOnlyList<DecodedEvent> DecodeEvents(TransactionReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        var events = new List<DecodedEvent>();
        foreach (var log in receipt.Logs)
            if (log.Address == Address && Abi.TryDecodeLog(log.Topics, log.Data, out var decoded))
                events.Add(decoded!);
        return events;
    }

    private ContractRevertException Reverted(string function, ExecutionRevertedException e) =>
        new(Name, Address, function, RevertDecoder.Decode(e.RevertData, Abi), e);
}
