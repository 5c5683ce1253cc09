using System.Text.Json;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Abi;

/// <summary>A contract function from ABI JSON: signature, selector, call encoding and output decoding.</summary>
public sealed class AbiFunction
{
    private readonly byte[] _selector;
    private readonly AbiType[] _inputTypes;
    private readonly AbiType[] _outputTypes;

    public AbiFunction(string name, IReadOnlyList<AbiParameter> inputs, IReadOnlyList<AbiParameter> outputs, string stateMutability = "nonpayable")
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        Name = name;
        Inputs = inputs.ToArray();
        Outputs = outputs.ToArray();
        StateMutability = stateMutability;
        Signature = AbiParameter.Signature(name, Inputs);
        _selector = Keccak256.Hash(Signature)[..4];
        _inputTypes = Inputs.Select(p => p.Type).ToArray();
        _outputTypes = Outputs.Select(p => p.Type).ToArray();
    }

    /// <summary>Parses one ABI JSON item of type "function".</summary>
    public static AbiFunction FromJson(JsonElement item)
    {
        var name = item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
        if (name.Length == 0) throw new EthereumFormatException("An ABI function item has no \"name\".");
        return new AbiFunction(name, AbiParameter.ListFromJson(item, "inputs"), AbiParameter.ListFromJson(item, "outputs"), ContractAbi.ReadMutability(item));
    }

    /// <summary>
    /// Parses a human-readable fragment: <c>function transfer(address to, uint256 amount) returns (bool)</c>,
    /// or just <c>balanceOf(address)</c>.
    /// </summary>
    public static AbiFunction Parse(string fragment) =>
        HumanReadableAbi.ParseFragment(fragment) as AbiFunction ?? throw new EthereumFormatException($"ABI fragment '{fragment}' is not a function.");

    public string Name { get; }
    public IReadOnlyList<AbiParameter> Inputs { get; }
    public IReadOnlyList<AbiParameter> Outputs { get; }

    /// <summary><c>pure</c>, <c>view</c>, <c>nonpayable</c> or <c>payable</c>.</summary>
    public string StateMutability { get; }

    /// <summary>Whether the function does not change state (<c>view</c> or <c>pure</c>): call it with eth_call.</summary>
    public bool IsReadOnly => StateMutability is "view" or "pure";

    public bool IsPayable => StateMutability == "payable";

    /// <summary>The canonical signature, e.g. <c>transfer(address,uint256)</c>.</summary>
    public string Signature { get; }

    /// <summary>The 4-byte selector: the first 4 bytes of keccak256(<see cref="Signature"/>). A copy.</summary>
    public byte[] Selector => (byte[])_selector.Clone();

    /// <summary>The selector as 0x-prefixed hex (e.g. <c>0xa9059cbb</c>).</summary>
    public string SelectorHex => Hex.Encode(_selector);

    internal ReadOnlySpan<byte> SelectorSpan => _selector;

    /// <summary>
    /// Call data: selector followed by the ABI-encoded arguments. A wrong argument count or a bad argument raises
    /// an <see cref="ArgumentException"/> naming the function and the parameter.
    /// </summary>
    public byte[] EncodeCall(params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length != Inputs.Count)
            throw new ArgumentException($"{Signature} takes {Inputs.Count} argument(s) ({string.Join(", ", Inputs)}), but {args.Length} were given.{ParamsHint(Inputs, args)}");
        var encoded = AbiEncoder.Encode(_inputTypes, args, Inputs.Select(p => (string?)p.Name).ToArray(), $"{Name} argument");
        var result = new byte[4 + encoded.Length];
        _selector.CopyTo(result, 0);
        encoded.CopyTo(result, 4);
        return result;
    }

    /// <summary>
    /// The C# <c>params</c> pitfall: a single <c>object?[]</c> argument (an array or tuple value) is taken as the
    /// whole argument list. Say how to pass it.
    /// </summary>
    internal static string ParamsHint(IReadOnlyList<AbiParameter> inputs, object?[] args) =>
        inputs.Count == 1 && inputs[0].Type.Kind is AbiTypeKind.Array or AbiTypeKind.FixedArray or AbiTypeKind.Tuple && args.Length != 1
            ? " To pass one array or tuple argument as an object?[], wrap it: EncodeCall(new object?[] { value })."
            : "";

    /// <summary>Decodes call data (selector checked) into the input values.</summary>
    public AbiValues DecodeCall(byte[] callData)
    {
        ArgumentNullException.ThrowIfNull(callData);
        if (callData.Length < 4 || !callData.AsSpan(0, 4).SequenceEqual(_selector))
            throw new EthereumFormatException($"Call data {Hex.Shorten(Hex.Encode(callData))} does not start with the selector {SelectorHex} of {Signature}.");
        return new AbiValues(Inputs, AbiDecoder.Decode(_inputTypes, callData.AsSpan(4), $"call data of {Signature}"));
    }

    /// <summary>Decodes return data into the output values, in order.</summary>
    public object?[] DecodeOutput(byte[] returnData)
    {
        ArgumentNullException.ThrowIfNull(returnData);
        if (returnData.Length == 0 && Outputs.Count > 0)
            throw new EthereumFormatException($"The call to {Signature} returned no data; is there a contract at that address, and does it have this function?");
        return AbiDecoder.Decode(_outputTypes, returnData, $"output of {Signature}");
    }

    /// <summary>Decodes return data into values addressable by output name or position.</summary>
    public AbiValues DecodeOutputValues(byte[] returnData) => new(Outputs, DecodeOutput(returnData));

    /// <summary>Encodes return data (for tests and mocks).</summary>
    public byte[] EncodeOutput(params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != Outputs.Count)
            throw new ArgumentException($"{Signature} returns {Outputs.Count} value(s), but {values.Length} were given.");
        return AbiEncoder.Encode(_outputTypes, values, Outputs.Select(p => (string?)p.Name).ToArray(), $"{Name} output");
    }

    /// <summary>Solidity-like declaration, e.g. <c>function transfer(address to, uint256 amount) nonpayable returns (bool)</c>.</summary>
    public override string ToString() =>
        $"function {Name}({string.Join(", ", Inputs)}) {StateMutability}" + (Outputs.Count > 0 ? $" returns ({string.Join(", ", Outputs)})" : "");
}

/// <summary>A contract's constructor: encodes deployment data (bytecode followed by the ABI-encoded arguments).</summary>
public sealed class AbiConstructor
{
    private readonly AbiType[] _types;

    public AbiConstructor(IReadOnlyList<AbiParameter> inputs, string stateMutability = "nonpayable")
    {
        ArgumentNullException.ThrowIfNull(inputs);
        Inputs = inputs.ToArray();
        StateMutability = stateMutability;
        _types = Inputs.Select(p => p.Type).ToArray();
    }

    /// <summary>The implicit constructor of a contract that declares none.</summary>
    public static AbiConstructor Default { get; } = new([]);

    public IReadOnlyList<AbiParameter> Inputs { get; }
    public string StateMutability { get; }
    public bool IsPayable => StateMutability == "payable";

    /// <summary>The ABI-encoded constructor arguments (without bytecode).</summary>
    public byte[] EncodeArguments(params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length != Inputs.Count)
            throw new ArgumentException($"The constructor takes {Inputs.Count} argument(s) ({string.Join(", ", Inputs)}), but {args.Length} were given.{AbiFunction.ParamsHint(Inputs, args)}");
        return AbiEncoder.Encode(_types, args, Inputs.Select(p => (string?)p.Name).ToArray(), "constructor argument");
    }

    /// <summary>Deployment data: <paramref name="bytecode"/> followed by the encoded arguments.</summary>
    public byte[] EncodeDeployment(byte[] bytecode, params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(bytecode);
        if (bytecode.Length == 0) throw new ArgumentException("The contract bytecode is empty (an abstract contract or interface cannot be deployed).", nameof(bytecode));
        var encoded = EncodeArguments(args);
        var result = new byte[bytecode.Length + encoded.Length];
        bytecode.CopyTo(result, 0);
        encoded.CopyTo(result, bytecode.Length);
        return result;
    }

    /// <summary>Decodes constructor arguments (the bytes after the bytecode).</summary>
    public AbiValues DecodeArguments(byte[] encodedArguments)
    {
        ArgumentNullException.ThrowIfNull(encodedArguments);
        return new AbiValues(Inputs, AbiDecoder.Decode(_types, encodedArguments, "constructor arguments"));
    }
}
