using System.Reflection;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Keeper.Configuration;

/// <summary>A configuration path that names a declared setting: as declared, its type, and whether it is one value.</summary>
public sealed record DeclaredPath(string Canonical, Type Type, bool IsValue);

/// <summary>One setting given on the command line: its configuration path ("Rpc:Url", "Pools:0:Name") and its value.</summary>
public sealed record SettingOverride(string Path, string Value);

/// <summary>
/// Command-line overrides of the configuration, as the file <c>treasury init</c> writes promises:
/// <c>--Section:Key=value</c> or <c>--Section:Key value</c> (a top-level setting: <c>--Vault=0x…</c>). Each path must
/// name a declared setting of <see cref="TreasurySettings"/> (array entries by index: <c>--Pools:0:Name=…</c>) or lie
/// under <c>Serilog:</c>; anything else is one <see cref="SettingsException"/> naming the token and the form.
/// </summary>
public static class SettingOverrides
{
    /// <summary>The example the template's header prints (and a test parses).</summary>
    public const string Example = "--Rpc:Url=http://127.0.0.1:8545";

    /// <summary>Sections read by other libraries whose keys are not declared here (Serilog's own configuration).</summary>
    private static readonly string[] OpenSections = ["Serilog"];

    private const string Form = "give settings as --Section:Key=value or --Section:Key value, e.g. " + Example;

    /// <summary>Parses the command line's leftover tokens into overrides; throws naming the first bad one.</summary>
    public static IReadOnlyList<SettingOverride> Parse(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var result = new List<SettingOverride>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (!token.StartsWith("--", StringComparison.Ordinal) || token.Length == 2)
                throw new SettingsException(token, $"is neither an option of this command nor a setting override; {Form}");
            var body = token[2..];
            string path, value;
            var equals = body.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                (path, value) = (body[..equals], body[(equals + 1)..]);
            }
            else
            {
                if (i + 1 >= tokens.Count || tokens[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new SettingsException(token, Known(body) is null
                        ? $"is neither an option of this command nor a setting override; {Form}"
                        : $"has no value; {Form}");
                (path, value) = (body, tokens[++i]);
            }
            if (path.Length == 0 || path.Split(':').Any(s => s.Length == 0))
                throw new SettingsException(token, $"is a malformed override; {Form}");
            var canonical = Known(path)
                ?? throw new SettingsException(path, $"is unknown (from '{token}'): no such setting; use a path from the file `treasury init` writes, e.g. {Example}");
            if (result.FirstOrDefault(o => string.Equals(o.Path, canonical, StringComparison.OrdinalIgnoreCase)) is { } earlier)
                throw new SettingsException(canonical, $"is given twice on the command line ('{earlier.Value}' and '{value}'); give it once");
            result.Add(new SettingOverride(canonical, value));
        }
        return result;
    }

    /// <summary>The path as declared (case of the declarations), or null when it names no setting.</summary>
    internal static string? Known(string path) => Resolve(path) is { IsValue: true } declared ? declared.Canonical : null;

    /// <summary>What a configuration path names: a declared setting (its path as declared, its type, and whether it is
    /// one value rather than a section or array), or null when it names nothing declared. Values under an open section
    /// (Serilog's) are strings.</summary>
    internal static DeclaredPath? Resolve(string path)
    {
        var segments = path.Split(':');
        if (OpenSections.FirstOrDefault(s => string.Equals(s, segments[0], StringComparison.OrdinalIgnoreCase)) is { } open)
            return new DeclaredPath(string.Join(':', [open, .. segments[1..]]), typeof(string), IsValue: segments.Length > 1);
        var type = typeof(TreasurySettings);
        var canonical = new List<string>();
        for (var i = 0; i < segments.Length; i++)
        {
            if (type.IsArray)
            {
                if (!int.TryParse(segments[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)) return null;
                canonical.Add(segments[i]);
                type = type.GetElementType()!;
                continue;
            }
            var property = SettingsValidator.Settings(type).Select(s => s.Property)
                .FirstOrDefault(p => string.Equals(p.Name, segments[i], StringComparison.OrdinalIgnoreCase));
            if (property is null) return null;
            canonical.Add(property.Name);
            type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        }
        // a whole section or array is not one value
        return new DeclaredPath(string.Join(':', canonical), type, IsValue: !(SettingsValidator.IsSection(type) || (type.IsArray && type != typeof(string))));
    }
}
