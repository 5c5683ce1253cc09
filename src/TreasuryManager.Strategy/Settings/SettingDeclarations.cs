using System.Collections;
using System.Globalization;
using System.Reflection;

namespace TreasuryManager.Strategy.Settings;

/// <summary>
/// A setting's one description (its meaning and unit): the `init` template prints it above the setting, and the
/// problems a rule finds name the setting by its configuration path. Declared on the property, beside its default.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingAttribute(string description) : Attribute
{
    public string Description { get; } = description;

    /// <summary>An example value for the template when the default is empty (e.g. "0x…").</summary>
    public string? Example { get; init; }
}

/// <summary>A rule on one setting's value: the problem ("must …") or null when the value is fine.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true)]
public abstract class SettingRuleAttribute : Attribute
{
    /// <summary>Appended to the problem: how to fix it, or why the bound.</summary>
    public string? Hint { get; init; }

    /// <summary>The problem with <paramref name="value"/> as one text ("-3 must be at least 1 (hint)"), or null when it is fine.</summary>
    public string? Check(object? value) => Check("", value) is { } p ? p.Value is null ? p.Problem : $"{p.Value} {p.Problem}" : null;

    /// <summary>The problem with the setting at <paramref name="path"/> holding <paramref name="value"/>: the rule it breaks
    /// (with the <see cref="Hint"/>) and, when the rule is about the value, the value as shown; null when it is fine.</summary>
    public SettingProblem? Check(string path, object? value) =>
        Problem(value) is { } p ? new SettingProblem(path, Hint is null ? p : $"{p} ({Hint})") { Value = ShowsValue ? Show(value) : null } : null;

    /// <summary>The rule <paramref name="value"/> breaks ("must …", without the value), or null when it is fine.</summary>
    protected abstract string? Problem(object? value);

    /// <summary>Whether the problem is said after the value ("-3 must be at least 1") rather than alone ("must not be empty").</summary>
    protected virtual bool ShowsValue => true;

    protected static string Show(object? value) => SettingsValidator.Show(value);

    protected static double? Number(object? value) => value switch
    {
        null => null,
        double d => d,
        decimal m => (double)m,
        IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
        _ => null,
    };
}

/// <summary>A finite number above zero (an optional setting may be left out).</summary>
public sealed class PositiveAttribute : SettingRuleAttribute
{
    protected override string? Problem(object? value) => value is null || Number(value) is { } v && v > 0 && double.IsFinite(v) ? null
        : Number(value) is { } n && !double.IsFinite(n) ? "must be a finite positive number" : "must be a positive number";
}

/// <summary>A number within [Min, Max] (either end exclusive when said so). An end at its type's extreme (int.MaxValue,
/// long.MaxValue, double.MaxValue, infinity) is no bound: the rule then reads "must be at least 1", not a .NET maximum.</summary>
public sealed class BoundsAttribute(double min, double max) : SettingRuleAttribute
{
    public double Min { get; } = min;
    public double Max { get; } = max;
    public bool MinExclusive { get; init; }
    public bool MaxExclusive { get; init; }

    protected override string? Problem(object? value)
    {
        if (value is null) return null; // an optional setting left out
        var v = Number(value);
        var ok = v is { } x && double.IsFinite(x) && (MinExclusive ? x > Min : x >= Min) && (MaxExclusive ? x < Max : x <= Max);
        return ok ? null : Range(Min, Max, MinExclusive, MaxExclusive, notFinite: v is { } y && !double.IsFinite(y));
    }

    /// <summary>
    /// The rule "must lie in [min, max]" in an operator's words: an end at a numeric type's extreme is left out ("must be at
    /// least 1", "must be greater than 0", "must be at most 10"), never printed as 9.223372036854776E+18; with
    /// <paramref name="notFinite"/> (the value was infinite or not a number) the rule says the number must be finite.
    /// </summary>
    public static string Range(double min, double max, bool minExclusive = false, bool maxExclusive = false, bool notFinite = false)
    {
        var low = !IsLowest(min);
        var high = !IsHighest(max);
        var lower = string.Create(CultureInfo.InvariantCulture, $"{(minExclusive ? "greater than" : "at least")} {min}");
        var upper = string.Create(CultureInfo.InvariantCulture, $"{(maxExclusive ? "less than" : "at most")} {max}");
        var interval = string.Create(CultureInfo.InvariantCulture, $"{(minExclusive ? "(" : "[")}{min}, {max}{(maxExclusive ? ")" : "]")}");
        return (low, high, notFinite) switch
        {
            (true, true, false) => $"must lie in {interval}",
            (true, true, true) => $"must be a finite number in {interval}",
            (true, false, false) => $"must be {lower}",
            (false, true, false) => $"must be {upper}",
            (true, false, true) => $"must be a finite number {lower}",
            (false, true, true) => $"must be a finite number {upper}",
            (false, false, _) => "must be a finite number",
        };
    }

    /// <summary>The largest values of the numeric types a setting may have, and infinity: an upper end that is no bound.</summary>
    private static bool IsHighest(double max) =>
        double.IsPositiveInfinity(max) || max is int.MaxValue or uint.MaxValue or long.MaxValue or ulong.MaxValue or float.MaxValue or double.MaxValue || max == (double)decimal.MaxValue;

    private static bool IsLowest(double min) =>
        double.IsNegativeInfinity(min) || min is int.MinValue or long.MinValue or float.MinValue or double.MinValue || min == (double)decimal.MinValue;
}

/// <summary>A non-empty text.</summary>
public sealed class NotBlankAttribute : SettingRuleAttribute
{
    protected override string? Problem(object? value) => value is string s && !string.IsNullOrWhiteSpace(s) ? null : "must not be empty";

    protected override bool ShowsValue => false;
}

/// <summary>
/// A problem with one setting, by its configuration path ("Pools:0:Address"): the rule it breaks ("must be at least 1"),
/// and, when the problem is about the value, the value as shown (<see cref="Value"/>) and where it came from
/// (<see cref="Source"/>: "the file /etc/treasury.json", "the environment variable TREASURY_Gas__Confirmations", "the
/// command line"), set by whoever knows the configuration's sources.
/// </summary>
public sealed record SettingProblem(string Path, string Problem)
{
    /// <summary>The value the problem is about, as shown before the problem ("-3", "'abc'"); null when the problem is said alone.</summary>
    public string? Value { get; init; }

    /// <summary>Where <see cref="Value"/> came from, or null when unknown (a setting built in code).</summary>
    public string? Source { get; init; }

    /// <summary>"setting Gas:Confirmations '-3' (from the command line) must be at least 1".</summary>
    public override string ToString() =>
        $"setting {Path}{(Value is null ? "" : " " + Value)}{(Source is null ? "" : $" (from {Source})")} {Problem}";
}

/// <summary>A settings section whose settings constrain each other (checked after each setting's own rules).</summary>
public interface ISettingsSection
{
    /// <summary>The problems of the section's relations, with <paramref name="path"/> as the section's prefix ("Gas").</summary>
    IEnumerable<SettingProblem> CrossChecks(string path);
}

/// <summary>
/// Validates settings declared with <see cref="SettingAttribute"/> and <see cref="SettingRuleAttribute"/>s: every rule of
/// every setting, nested sections and arrays of sections included, then each <see cref="ISettingsSection"/>'s relations —
/// all problems at once, so one run reports every bad setting.
/// </summary>
public static class SettingsValidator
{
    /// <summary>Every problem of <paramref name="section"/> (paths prefixed by <paramref name="path"/>).</summary>
    public static IReadOnlyList<SettingProblem> Check(object section, string path = "")
    {
        ArgumentNullException.ThrowIfNull(section);
        var problems = new List<SettingProblem>();
        Walk(section, path, problems);
        return problems;
    }

    /// <summary>Throws a <see cref="SettingsException"/> listing every problem of <paramref name="section"/>.</summary>
    public static T Validate<T>(T section, string path = "") where T : notnull
    {
        var problems = Check(section, path);
        if (problems.Count > 0) throw new SettingsException(problems);
        return section;
    }

    /// <summary>The settings of a section type: its public properties declared with <see cref="SettingAttribute"/>.</summary>
    public static IEnumerable<(PropertyInfo Property, SettingAttribute Setting)> Settings(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (p, p.GetCustomAttribute<SettingAttribute>()))
            .Where(x => x.Item2 is not null)
            .Select(x => (x.p, x.Item2!));

    /// <summary>Whether <paramref name="type"/> is a settings section (it declares settings).</summary>
    public static bool IsSection(Type type) => type != typeof(string) && Settings(type).Any();

    private static void Walk(object section, string path, List<SettingProblem> problems)
    {
        foreach (var (property, _) in Settings(section.GetType()))
        {
            var name = Join(path, property.Name);
            var value = property.GetValue(section);
            foreach (var rule in property.GetCustomAttributes<SettingRuleAttribute>())
                if (rule.Check(name, value) is { } problem) problems.Add(problem);
            if (value is null) continue;
            if (IsSection(property.PropertyType)) Walk(value, name, problems);
            else if (value is IEnumerable items and not string && property.PropertyType.IsArray && IsSection(property.PropertyType.GetElementType()!))
            {
                var i = 0;
                foreach (var item in items)
                {
                    if (item is null) problems.Add(new SettingProblem(Join(name, i.ToString(CultureInfo.InvariantCulture)), "is null; remove the entry"));
                    else Walk(item, Join(name, i.ToString(CultureInfo.InvariantCulture)), problems);
                    i++;
                }
            }
        }
        if (section is ISettingsSection s) problems.AddRange(s.CrossChecks(path));
    }

    /// <summary>A setting's value as a problem shows it: numbers in the invariant culture, "(missing)" for none.</summary>
    public static string Show(object? value) => value switch
    {
        null => "(missing)",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>"A:B" (or "B" at the root).</summary>
    public static string Join(string path, string name) => path.Length == 0 ? name : $"{path}:{name}";
}
