using System.Text;
using System.Text.Json;
using TreasuryManager.Ethereum.Contracts;

namespace TreasuryManager.BindGen;

/// <summary>
/// The second emitter: Nethereum typed contract classes for one contract, shaped as Nethereum's own code generator
/// shapes them — per function a <c>[Function]</c> message deriving from <c>FunctionMessage</c> (a <c>…FunctionBase</c>
/// with the <c>[Parameter]</c> properties and a partial subclass), per view with outputs a <c>[FunctionOutput]</c>
/// <c>IFunctionOutputDTO</c>, per event an <c>[Event]</c> <c>IEventDTO</c>, per custom error an <c>[Error]</c>
/// <c>IErrorDTO</c>, and a class per struct. One namespace per contract (<c>….TreasuryVault.ContractDefinition</c>), so
/// structs of the same name in two contracts never clash. Deterministic, like <see cref="BindingGenerator"/>.
/// </summary>
public static class NethereumBindingGenerator
{
    /// <summary>Properties of Nethereum's FunctionMessage / transaction input that a Solidity parameter must not hide.</summary>
    private static readonly HashSet<string> MessageProperties = new(StringComparer.Ordinal)
    {
        "AmountToSend", "Gas", "GasPrice", "FromAddress", "Nonce", "MaxFeePerGas", "MaxPriorityFeePerGas", "TransactionType", "AccessList", "AuthorisationList",
    };

    public static string Generate(HardhatArtifact artifact, string namespaceName, string sourcePath)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        using var document = JsonDocument.Parse(artifact.AbiJson);
        var items = document.RootElement.EnumerateArray().ToArray();
        var structs = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
        var body = new StringBuilder();

        var functions = items.Where(i => Str(i, "type") == "function").ToArray();
        var byName = functions.GroupBy(f => Str(f, "name")).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        foreach (var function in functions)
        {
            var name = Str(function, "name");
            var index = Array.IndexOf(byName[name], function);
            var typeName = Pascal(name) + (index == 0 ? "" : index.ToString(System.Globalization.CultureInfo.InvariantCulture)); // Nethereum numbers overloads
            var outputs = Params(function, "outputs");
            var isView = Str(function, "stateMutability") is "view" or "pure";
            var output = isView && outputs.Length > 0 ? typeName + "OutputDTO" : null;
            body.Append("    public partial class ").Append(typeName).Append("Function : ").Append(typeName).Append("FunctionBase { }\n\n");
            body.Append("    [Function(").Append(Literal(name)).Append(output is null ? "" : $", typeof({output})").Append(")]\n");
            body.Append("    public class ").Append(typeName).Append("FunctionBase : FunctionMessage\n    {\n");
            Properties(body, Params(function, "inputs"), typeName + "FunctionBase", structs, message: true, indexedAllowed: false);
            body.Append("    }\n\n");
            if (output is not null)
            {
                body.Append("    public partial class ").Append(output).Append(" : ").Append(output).Append("Base { }\n\n");
                body.Append("    [FunctionOutput]\n");
                body.Append("    public class ").Append(output).Append("Base : IFunctionOutputDTO\n    {\n");
                Properties(body, outputs, output + "Base", structs, message: false, indexedAllowed: false);
                body.Append("    }\n\n");
            }
        }

        foreach (var e in items.Where(i => Str(i, "type") == "event"))
        {
            var typeName = Pascal(Str(e, "name")) + "EventDTO";
            body.Append("    public partial class ").Append(typeName).Append(" : ").Append(typeName).Append("Base { }\n\n");
            body.Append("    [Event(").Append(Literal(Str(e, "name"))).Append(")]\n");
            body.Append("    public class ").Append(typeName).Append("Base : IEventDTO\n    {\n");
            Properties(body, Params(e, "inputs"), typeName + "Base", structs, message: false, indexedAllowed: true);
            body.Append("    }\n\n");
        }

        foreach (var error in items.Where(i => Str(i, "type") == "error").GroupBy(i => Str(i, "name")).Select(g => g.First()))
        {
            var typeName = Pascal(Str(error, "name")) + "Error";
            body.Append("    public partial class ").Append(typeName).Append(" : ").Append(typeName).Append("Base { }\n\n");
            body.Append("    [Error(").Append(Literal(Str(error, "name"))).Append(")]\n");
            body.Append("    public class ").Append(typeName).Append("Base : IErrorDTO\n    {\n");
            Properties(body, Params(error, "inputs"), typeName + "Base", structs, message: false, indexedAllowed: false);
            body.Append("    }\n\n");
        }

        var written = new HashSet<string>(StringComparer.Ordinal);
        while (structs.Keys.FirstOrDefault(k => !written.Contains(k)) is { } next)
        {
            written.Add(next);
            body.Append("    public partial class ").Append(next).Append(" : ").Append(next).Append("Base { }\n\n");
            body.Append("    /// <summary>The Solidity struct <c>").Append(Str(structs[next], "internalType")).Append("</c>.</summary>\n");
            body.Append("    public class ").Append(next).Append("Base\n    {\n");
            Properties(body, Params(structs[next], "components"), next + "Base", structs, message: false, indexedAllowed: false);
            body.Append("    }\n\n");
        }

        var sb = new StringBuilder();
        sb.Append("// <auto-generated>\n");
        sb.Append("// Generated by scripts/gen-bindings.sh from ").Append(sourcePath).Append(" (Nethereum typed classes). Do not edit by hand:\n");
        sb.Append("// change the Solidity, compile, and run scripts/gen-bindings.sh.\n");
        sb.Append("// </auto-generated>\n");
        sb.Append("#nullable disable\n");
        sb.Append("#pragma warning disable CS1591\n");
        sb.Append("using System.Collections.Generic;\n");
        sb.Append("using System.Numerics;\n");
        sb.Append("using Nethereum.ABI.FunctionEncoding.Attributes;\n");
        sb.Append("using Nethereum.Contracts;\n\n");
        sb.Append("namespace ").Append(namespaceName).Append('.').Append(Pascal(artifact.ContractName)).Append(".ContractDefinition\n{\n");
        sb.Append(body.ToString().TrimEnd('\n')).Append('\n');
        sb.Append("}\n");
        return sb.ToString();
    }

    private static void Properties(StringBuilder sb, JsonElement[] parameters, string owner, SortedDictionary<string, JsonElement> structs, bool message, bool indexedAllowed)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            var raw = Str(p, "name");
            var name = raw.Length == 0 ? $"ReturnValue{i + 1}" : Pascal(raw);
            if ((message && MessageProperties.Contains(name)) || name == owner || name == owner[..^"Base".Length]) name += "_";
            while (!used.Add(name)) name += "_";
            var indexed = indexedAllowed && p.TryGetProperty("indexed", out var ix) && ix.ValueKind == JsonValueKind.True;
            if (i > 0) sb.Append('\n');
            sb.Append("        [Parameter(").Append(Literal(Str(p, "type"))).Append(", ").Append(Literal(raw)).Append(", ").Append(i + 1)
                .Append(indexed ? ", true" : "").Append(")]\n");
            sb.Append("        public virtual ").Append(CsType(p, structs)).Append(' ').Append(name).Append(" { get; set; }\n");
        }
    }

    private static string CsType(JsonElement p, SortedDictionary<string, JsonElement> structs)
    {
        var type = Str(p, "type");
        if (type.EndsWith(']')) return $"List<{CsType(ElementOf(p), structs)}>";
        if (type == "tuple")
        {
            var name = StructName(p);
            structs.TryAdd(name, p);
            return name;
        }
        return type switch
        {
            "address" or "string" => "string",
            "bool" => "bool",
            _ when type.StartsWith("uint", StringComparison.Ordinal) || type.StartsWith("int", StringComparison.Ordinal) => "BigInteger",
            _ when type.StartsWith("bytes", StringComparison.Ordinal) => "byte[]",
            _ => throw new NotSupportedException($"ABI type '{type}' has no Nethereum mapping in the binding generator."),
        };
    }

    private static JsonElement ElementOf(JsonElement p)
    {
        var type = Str(p, "type");
        var internalType = Str(p, "internalType");
        var bracket = internalType.LastIndexOf('[');
        var json = new Dictionary<string, object?> { ["name"] = "", ["type"] = type[..type.LastIndexOf('[')], ["internalType"] = bracket > 0 ? internalType[..bracket] : internalType };
        if (p.TryGetProperty("components", out var components)) json["components"] = components;
        return JsonSerializer.SerializeToElement(json);
    }

    private static string StructName(JsonElement p)
    {
        var internalType = Str(p, "internalType");
        var name = internalType.StartsWith("struct ", StringComparison.Ordinal) ? internalType["struct ".Length..] : "";
        var bracket = name.IndexOf('[', StringComparison.Ordinal);
        if (bracket >= 0) name = name[..bracket];
        name = name[(name.LastIndexOf('.') + 1)..];
        return name.Length > 0 ? Pascal(name) : throw new NotSupportedException($"a tuple without a struct name ({internalType}) has no Nethereum class name");
    }

    private static JsonElement[] Params(JsonElement item, string property) =>
        item.TryGetProperty(property, out var list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToArray() : [];

    private static string Str(JsonElement item, string property) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    private static string Pascal(string name)
    {
        var sb = new StringBuilder();
        foreach (var c in name.Trim('_')) sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        if (sb.Length == 0) return "Unnamed";
        if (char.IsAsciiDigit(sb[0])) sb.Insert(0, '_');
        sb[0] = char.ToUpperInvariant(sb[0]);
        return sb.ToString();
    }

    private static string Literal(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
