using System.Globalization;
using Microsoft.Extensions.Configuration;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Keeper.Configuration;

/// <summary>
/// Reads <see cref="TreasurySettings"/> from a JSON file (comments allowed), then the environment (prefix
/// <c>TREASURY_</c>, <c>__</c> for <c>:</c>), then command-line overrides (<c>--Rpc:Url=…</c>, parsed by <see cref="SettingOverrides"/>), later sources winning.
/// </summary>
public static class SettingsLoader
{
    public const string DefaultFileName = "appsettings.json";
    public const string EnvironmentPrefix = "TREASURY_";

    /// <summary>The configuration root (for the host and Serilog) built from the three sources.</summary>
    public static IConfigurationRoot Build(string configPath, IEnumerable<string>? overrides = null, bool fileRequired = true)
    {
        var full = Path.GetFullPath(configPath);
        if (fileRequired && Directory.Exists(full))
            throw new SettingsException("--config", $"'{full}' is a folder; pass the configuration file itself, e.g. {Path.Combine(full, DefaultFileName)}");
        if (fileRequired && !File.Exists(full))
            throw new SettingsException("--config", $"file '{full}' does not exist; run `treasury init` to write one, or pass --config PATH");
        var builder = new ConfigurationBuilder()
            .SetBasePath(Path.GetDirectoryName(full)!)
            .AddJsonFile(Path.GetFileName(full), optional: !fileRequired, reloadOnChange: false)
            .AddEnvironmentVariables(EnvironmentPrefix);
        if (overrides is not null)
            builder.AddInMemoryCollection(SettingOverrides.Parse(overrides.ToArray()).Select(o => new KeyValuePair<string, string?>(o.Path, o.Value)));
        try
        {
            return builder.Build();
        }
        catch (InvalidDataException e)
        {
            throw new SettingsException("--config", $"file '{full}' is not valid JSON: {WhereJsonFails(full) ?? e.InnerException?.Message ?? e.Message}");
        }
        catch (FormatException e)
        {
            throw new SettingsException("--config", $"file '{full}' is not valid JSON: {e.Message}");
        }
    }

    /// <summary>Where a JSON file (comments and trailing commas allowed, as the configuration reads it) first fails to parse:
    /// "line L, column C: what was found"; null when it parses (or cannot be read).</summary>
    private static string? WhereJsonFails(string path)
    {
        try
        {
            using var _ = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(path),
                new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return null;
        }
        catch (System.Text.Json.JsonException e)
        {
            var what = e.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].Trim();
            return $"line {e.LineNumber + 1}, column {e.BytePositionInLine + 1}: {what}";
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Binds and validates; relative journal, keystore, log and fork-command paths become relative to the file's directory.</summary>
    public static TreasurySettings Load(string configPath, IEnumerable<string>? overrides = null)
    {
        var root = Build(configPath, overrides);
        return Bind(root, Path.GetDirectoryName(Path.GetFullPath(configPath))!);
    }

    public static TreasurySettings Bind(IConfiguration configuration, string baseDirectory)
    {
        CheckValues(configuration);
        CheckArrayIndices(configuration);
        TreasurySettings settings;
        try
        {
            settings = configuration.Get<TreasurySettings>(o => o.ErrorOnUnknownConfiguration = false) ?? new TreasurySettings();
        }
        catch (InvalidOperationException e)
        {
            throw new SettingsException("(file)", $"cannot be read: {e.InnerException?.Message ?? e.Message}");
        }
        settings = settings with
        {
            Journal = PostgresJournalConnection.IsPostgres(settings.Journal) ? settings.Journal : Rooted(baseDirectory, settings.Journal)!,
            Key = settings.Key with { Keystore = Rooted(baseDirectory, settings.Key.Keystore) },
            Log = (settings.Log ?? new LogSettings()) with { File = Rooted(baseDirectory, (settings.Log ?? new LogSettings()).File)! },
            Fork = (settings.Fork ?? new ForkSettings()) with { Command = Rooted(baseDirectory, (settings.Fork ?? new ForkSettings()).Command) },
        };
        try
        {
            return settings.Validate();
        }
        catch (SettingsException e)
        {
            throw new SettingsException(e.Problems.Select(p => Sourced(configuration, p)).ToList());
        }
    }

    /// <summary>A problem about a value the sources gave, said as a type error is: the value as written and where it came
    /// from ("setting Gas:Confirmations '-3' (from the command line) must be at least 1"). Problems about no value (a
    /// missing setting, a whole section) and values at their default are left as they are.</summary>
    private static SettingProblem Sourced(IConfiguration configuration, SettingProblem problem)
    {
        if (problem.Value is null || problem.Source is not null) return problem;
        if (FindSource(configuration, problem.Path) is not { } source || configuration[problem.Path] is not { } written) return problem;
        return problem with { Value = $"'{written}'", Source = source.From };
    }

    /// <summary>
    /// Every value the sources give names a declared setting and reads as its type, else one <see cref="SettingsException"/>
    /// naming the setting, the value, where it came from and what it must be: a misspelt key in the file or in a
    /// <c>TREASURY_Section__Key</c> variable would otherwise leave the setting (a fee cap, a limit) at its default unseen.
    /// Single-word <c>TREASURY_*</c> variables that name no setting are not settings (TREASURY_KEYSTORE_PASSWORD and the
    /// like) and are left alone.
    /// </summary>
    internal static void CheckValues(IConfiguration configuration)
    {
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (value is null) continue; // a section
            var declared = SettingOverrides.Resolve(key);
            if (declared is null)
            {
                var (from, environment) = SourceOf(configuration, key);
                if (environment && !key.Contains(':', StringComparison.Ordinal)) continue;
                throw new SettingsException(key, $"is unknown (from {from}): no such setting; check its spelling against the file `treasury init` writes");
            }
            if (!declared.IsValue || value.Length == 0) continue; // an empty section or array, an empty value: as the binder reads them
            var type = Nullable.GetUnderlyingType(declared.Type) ?? declared.Type;
            if (!Reads(type, value))
                throw new SettingsException([new SettingProblem(declared.Canonical, OutOfRange(configuration, key, declared.Canonical, type, value) ?? $"is not {ValueKinds.Describe(type, inRange: false)}")
                {
                    Value = $"'{value}'",
                    Source = SourceOf(configuration, key).From,
                }]);
        }
    }

    /// <summary>
    /// The entries of an array setting (Pools) are numbered from 0 without gaps: .NET's binder packs the indices it finds,
    /// so <c>--Pools:5:Name=X</c> beside a file's one pool would become Pools:1 and every problem with it would name a
    /// setting nobody wrote. A gap is one <see cref="SettingsException"/> naming the entry given and the one missing.
    /// </summary>
    internal static void CheckArrayIndices(IConfiguration configuration)
    {
        var indices = new Dictionary<string, SortedDictionary<int, string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (value is null) continue; // a section: its values name their source
            var parts = key.Split(':');
            for (var i = 1; i < parts.Length; i++)
            {
                if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var index)) continue;
                var parent = string.Join(':', parts[..i]);
                if (!indices.TryGetValue(parent, out var entries)) indices[parent] = entries = [];
                entries.TryAdd(index, key);
            }
        }
        foreach (var (parent, entries) in indices)
        {
            var expected = 0;
            foreach (var (index, key) in entries)
            {
                if (index != expected)
                    throw new SettingsException($"{parent}:{index}",
                        $"is given (from {SourceOf(configuration, key).From}) but {parent}:{expected} is not: number the entries of {parent} from 0 without gaps ({parent}:0, {parent}:1, …)");
                expected++;
            }
        }
    }

    /// <summary>
    /// When <paramref name="value"/> is a number its setting's type cannot hold (99999999999 for a whole-number setting,
    /// 1e300 for a decimal one): the problem, "is too large: " and the setting's own rule (found by checking the setting at
    /// the type's extreme on the value's side, so the rule has its one home) or, when the setting allows the extreme, the
    /// largest (smallest) value it takes. Null when the value is not a number.
    /// </summary>
    private static string? OutOfRange(IConfiguration configuration, string key, string canonical, Type type, string value)
    {
        var text = value.Trim();
        bool positive;
        if (ValueKinds.IsWholeNumber(type))
        {
            if (!System.Numerics.BigInteger.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return null;
            positive = n.Sign > 0;
        }
        else if (type == typeof(decimal))
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d)) return null;
            positive = d > 0;
        }
        else return null;
        var extreme = (IFormattable)type.GetField(positive ? "MaxValue" : "MinValue")!.GetValue(null)!;
        var side = positive ? "too large" : "too small";
        if (RuleAt(configuration, key, canonical, extreme.ToString(null, CultureInfo.InvariantCulture)) is { } rule) return $"is {side}: {rule}";
        var limit = type == typeof(decimal) ? "about " + ((double)(decimal)extreme).ToString("0.#e0", CultureInfo.InvariantCulture) : extreme.ToString(null, CultureInfo.InvariantCulture);
        return $"is {side}: the {(positive ? "largest" : "smallest")} {(type == typeof(decimal) ? "number" : "whole number")} it takes is {limit}";
    }

    /// <summary>The rule the setting at <paramref name="canonical"/> breaks when it holds <paramref name="probe"/> (the other
    /// settings as the sources give them), or null when it breaks none or the settings cannot be read.</summary>
    private static string? RuleAt(IConfiguration configuration, string key, string canonical, string probe)
    {
        try
        {
            var probed = new ConfigurationBuilder().AddConfiguration(configuration).AddInMemoryCollection([new KeyValuePair<string, string?>(key, probe)]).Build();
            var settings = probed.Get<TreasurySettings>(o => o.ErrorOnUnknownConfiguration = false) ?? new TreasurySettings();
            return SettingsValidator.Check(settings).FirstOrDefault(p => p.Path == canonical)?.Problem;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            return null; // another value does not read yet: the type's limit is said instead
        }
    }

    private static bool Reads(Type type, string value)
    {
        var converter = System.ComponentModel.TypeDescriptor.GetConverter(type);
        if (!converter.CanConvertFrom(typeof(string))) return true; // the binder decides
        try
        {
            converter.ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception e) when (e is FormatException or NotSupportedException or ArgumentException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>Which source gave the value the configuration holds for <paramref name="key"/> (the last that has it).</summary>
    private static (string From, bool Environment) SourceOf(IConfiguration configuration, string key) =>
        FindSource(configuration, key) ?? ("the configuration", false);

    /// <summary>Which source gave the value for <paramref name="key"/>, or null when none did (a default).</summary>
    private static (string From, bool Environment)? FindSource(IConfiguration configuration, string key)
    {
        if (configuration is IConfigurationRoot root)
            foreach (var provider in root.Providers.Reverse())
            {
                if (!provider.TryGet(key, out _)) continue;
                return provider switch
                {
                    Microsoft.Extensions.Configuration.Json.JsonConfigurationProvider json => ($"the file {FullPath(json.Source)}", false),
                    Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationProvider => ($"the environment variable {EnvironmentPrefix}{key.Replace(":", "__", StringComparison.Ordinal)}", true),
                    Microsoft.Extensions.Configuration.Memory.MemoryConfigurationProvider => ("the command line", false),
                    _ => ($"{provider}", false),
                };
            }
        return null;
    }

    private static string? FullPath(Microsoft.Extensions.Configuration.FileConfigurationSource source) =>
        source.FileProvider is Microsoft.Extensions.FileProviders.PhysicalFileProvider physical && source.Path is { } file ? Path.Combine(physical.Root, file) : source.Path;

    private static string? Rooted(string baseDirectory, string? path) =>
        string.IsNullOrWhiteSpace(path) || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(baseDirectory, path));
}
