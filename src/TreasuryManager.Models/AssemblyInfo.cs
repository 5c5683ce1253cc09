namespace TreasuryManager.Models;
