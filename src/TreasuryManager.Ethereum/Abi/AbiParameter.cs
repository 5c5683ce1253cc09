using System.Collections;
using System.Text.Json;

namespace TreasuryManager.Ethereum.Abi;

/// <summary>A named, typed parameter of a function, event, error or constructor from ABI JSON.</summary>
/// <param name="Name">The parameter name; empty when unnamed.</param>
/// <param name="Type">The parsed type (tuple component names kept).</param>
/// <param name="Indexed">For event parameters: whether it is a topic.</param>
/// <param name="InternalType">Solidity's <c>internalType</c> (e.g. <c>struct Vault.Position</c>, <c>contract IERC20</c>), if given.</param>
public sealed record AbiParameter(string Name, AbiType Type, bool Indexed = false, string? InternalType = null)
{
    public static AbiParameter FromJson(JsonElement parameter)
    {
        var type = AbiType.FromJson(parameter);
        var name = parameter.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
        var indexed = parameter.TryGetProperty("indexed", out var i) && i.ValueKind == JsonValueKind.True;
        var internalType = parameter.TryGetProperty("internalType", out var it) && it.ValueKind == JsonValueKind.String ? it.GetString() : null;
        return new AbiParameter(name, type, indexed, internalType);
    }

    internal static AbiParameter[] ListFromJson(JsonElement item, string property)
    {
        if (!item.TryGetProperty(property, out var list) || list.ValueKind == JsonValueKind.Null) return [];
        if (list.ValueKind != JsonValueKind.Array)
            throw new EthereumFormatException($"ABI item's \"{property}\" must be an array.");
        return list.EnumerateArray().Select(FromJson).ToArray();
    }

    /// <summary><c>name(type1,type2)</c> from canonical types.</summary>
    internal static string Signature(string name, IReadOnlyList<AbiParameter> parameters) =>
        name + "(" + string.Join(",", parameters.Select(p => p.Type.CanonicalName)) + ")";

    public override string ToString() => Name.Length == 0 ? Type.CanonicalName : $"{Type.CanonicalName}{(Indexed ? " indexed" : "")} {Name}";
}

/// <summary>
/// Decoded values with their parameters: a read-only list in declaration order, also addressable by name
/// (unnamed parameters only by position).
/// </summary>
public sealed class AbiValues : IReadOnlyList<object?>
{
    private readonly object?[] _values;

    public AbiValues(IReadOnlyList<AbiParameter> parameters, object?[] values)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(values);
        if (parameters.Count != values.Length)
            throw new ArgumentException($"{parameters.Count} parameters but {values.Length} values.", nameof(values));
        Parameters = parameters;
        _values = values;
    }

    public static AbiValues Empty { get; } = new([], []);

    public IReadOnlyList<AbiParameter> Parameters { get; }

    public int Count => _values.Length;

    public object? this[int index] => _values[index];

    /// <summary>The value of the named parameter; throws <see cref="KeyNotFoundException"/> listing the names if absent.</summary>
    public object? this[string name] => TryGet(name, out var value)
        ? value
        : throw new KeyNotFoundException($"No parameter named '{name}'; the parameters are: {string.Join(", ", Parameters.Select((p, i) => p.Name.Length > 0 ? p.Name : $"#{i}"))}.");

    public bool TryGet(string name, out object? value)
    {
        for (var i = 0; i < Parameters.Count; i++)
        {
            if (Parameters[i].Name.Length > 0 && Parameters[i].Name == name)
            {
                value = _values[i];
                return true;
            }
        }
        value = null;
        return false;
    }

    /// <summary>The named parameter's value cast to <typeparamref name="T"/> (e.g. <c>BigInteger</c>, <c>Address</c>).</summary>
    public T Get<T>(string name) => (T)this[name]!;

    /// <summary>The value at <paramref name="index"/> cast to <typeparamref name="T"/>.</summary>
    public T Get<T>(int index) => (T)_values[index]!;

    /// <summary>Name/value pairs; unnamed parameters get their position as the name ("0", "1", …).</summary>
    public IReadOnlyList<(string Name, object? Value)> Pairs =>
        _values.Select((v, i) => (Parameters[i].Name.Length > 0 ? Parameters[i].Name : i.ToString(System.Globalization.CultureInfo.InvariantCulture), v)).ToArray();

    /// <summary>A dictionary of <see cref="Pairs"/>.</summary>
    public IReadOnlyDictionary<string, object?> ToDictionary() => Pairs.ToDictionary(p => p.Name, p => p.Value);

    public object?[] ToArray() => (object?[])_values.Clone();

    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)_values).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary><c>name=value, …</c> with values formatted by <see cref="AbiValueFormatter"/>.</summary>
    public override string ToString() => string.Join(", ", _values.Select((v, i) =>
        (Parameters[i].Name.Length > 0 ? Parameters[i].Name + "=" : "") + AbiValueFormatter.Format(Parameters[i].Type, v)));
}
