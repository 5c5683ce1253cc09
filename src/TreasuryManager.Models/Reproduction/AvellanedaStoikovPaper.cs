namespace TreasuryManager.Models.Reproduction;

/// <summary>
/// The table of Avellaneda and Stoikov (2008), §4 (authors' copy; docs/models.md, "The Avellaneda–Stoikov reproduction"), one row per γ and
/// strategy: spread, mean profit, std(profit), mean final q, std(q).
/// </summary>
public static class AvellanedaStoikovPaper
{
    public static readonly IReadOnlyList<AvellanedaStoikovRow> Table =
    [
        new(0.1, "inventory", 1.49, 65.0, 6.6, 0.08, 2.9),
        new(0.1, "symmetric", 1.49, 68.4, 12.7, 0.26, 8.4),
        new(0.01, "inventory", 1.35, 68.6, 8.7, 0.12, 5.1),
        new(0.01, "symmetric", 1.35, 68.8, 12.8, 0.09, 8.7),
        new(1.0, "inventory", 3.02, 31.4, 5.0, 0.02, 1.7),
        new(1.0, "symmetric", 3.02, 44.0, 11.0, 0.00, 5.1),
    ];

    public static AvellanedaStoikovRow Lookup(double gamma, string strategy) =>
        Table.Single(r => r.Gamma == gamma && r.Strategy == strategy);
}
