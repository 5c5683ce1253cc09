// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {SqrtPriceMath} from "../../contracts/libraries/SqrtPriceMath.sol";
import {Test} from "./base/Test.sol";
import {console} from "./base/Console.sol";
import {ITreasuryVaultErrors} from "../../contracts/interfaces/ITreasuryVaultErrors.sol";
import {IManagedPoolErrors} from "../../contracts/interfaces/IManagedPoolErrors.sol";
import {ObservationLib} from "../../contracts/libraries/ObservationLib.sol";
import {LiquidityFit} from "../../contracts/libraries/LiquidityFit.sol";
import {System, Deploy} from "./base/Fixture.sol";
import {TraderHandler, IEpoch} from "./handlers/TraderHandler.sol";
import {VaultHandler} from "./handlers/VaultHandler.sol";
import {RoleHandler} from "./handlers/RoleHandler.sol";

/// @notice The whole system under random traffic: swaps (dust to huge, onto the edges), donations, time, keeper
/// rebalances (oracle-derived and random), owner deposits/withdrawals, pause/unpause/emergency withdrawal, hedges,
/// oracle updates (good, jumps, bad, stale), and calls from accounts without the role. Invariants below; the
/// handlers record what can only be seen at the moment of a call in ghost counters that must stay zero.
contract SystemInvariants is Test {
    System internal s;
    TraderHandler internal trader;
    VaultHandler internal keeperSide;
    RoleHandler internal roles;

    function setUp() public {
        s = Deploy.system();
        trader = new TraderHandler(s);
        keeperSide = new VaultHandler(s, trader);
        trader.setEpochSource(IEpoch(address(keeperSide)));
        roles = new RoleHandler(s);

        bytes4[] memory t = new bytes4[](5);
        t[0] = TraderHandler.swap.selector;
        t[1] = TraderHandler.swapToEdge.selector;
        t[2] = TraderHandler.donate.selector;
        t[3] = TraderHandler.warp.selector;
        t[4] = TraderHandler.arbitrage.selector;
        targetSelector(FuzzSelector(address(trader), t));
        bytes4[] memory v = new bytes4[](12);
        v[0] = VaultHandler.rebalanceFromOracle.selector;
        v[1] = VaultHandler.rebalanceRandom.selector;
        v[2] = VaultHandler.deposit.selector;
        v[3] = VaultHandler.withdraw.selector;
        v[4] = VaultHandler.unpause.selector;
        v[5] = VaultHandler.closeHedge.selector;
        v[6] = VaultHandler.pause.selector;
        v[7] = VaultHandler.emergencyWithdraw.selector;
        v[8] = VaultHandler.adjustHedge.selector;
        v[9] = VaultHandler.updateOracle.selector;
        v[10] = VaultHandler.warpLong.selector;
        v[11] = VaultHandler.setInventoryRecovery.selector;
        targetSelector(FuzzSelector(address(keeperSide), v));
        bytes4[] memory r = new bytes4[](1);
        r[0] = RoleHandler.callWithoutRole.selector;
        targetSelector(FuzzSelector(address(roles), r));
        targetContract(address(trader));
        targetContract(address(keeperSide));
        targetContract(address(roles));
    }

    /// @notice One campaign checks every invariant of this suite after every call (forge runs each invariant_*
    /// function as a campaign of its own: one function keeps CI at runs x depth calls, not five times that). Each
    /// check is below, named after its invariant; a failure's message names the one that broke.
    function invariant_system() public view {
        _checkReservesMatchBalances();
        _checkCurveCoveredAndPriceInRange();
        _checkSwapsNeverPayTheTrader();
        _checkRebalanceWithinPolicy();
        _checkOnlyRolesChangeGuardedState();
    }

    /// @notice ManagedPool: reserve_i + (tokens sent to it directly since the last sync) == balanceOf(pool), to the wei.
    function _checkReservesMatchBalances() internal view {
        (uint256 r0, uint256 r1) = s.pool.getReserves();
        assertEq(r0 + trader.unsynced0(), s.token0.balanceOf(address(s.pool)), "reserve0 + unsynced != balance0");
        assertEq(r1 + trader.unsynced1(), s.token1.balanceOf(address(s.pool)), "reserve1 + unsynced != balance1");
    }

    /// @notice ManagedPool: the curve's real amounts at the current price, L*(1/sqrtP - 1/sqrtPb) and L*(sqrtP - sqrtPa)
    /// (what the curve can pay out, floored), never exceed reserve0 and reserve1; the price stays in
    /// [low, high] and MIN_SQRT_PRICE <= low < high <= MAX_SQRT_PRICE.
    function _checkCurveCoveredAndPriceInRange() internal view {
        (uint160 p,,,,,,) = s.pool.slot0();
        uint160 low = uint160(s.pool.sqrtPriceLowX96());
        uint160 high = uint160(s.pool.sqrtPriceHighX96());
        assertTrue(low <= p && p <= high, "price outside [low, high]");
        assertTrue(low < high, "empty range");
        assertTrue(low >= s.pool.MIN_SQRT_PRICE() && high <= s.pool.MAX_SQRT_PRICE(), "range outside the price bounds");
        uint128 l = s.pool.liquidity();
        (uint256 r0, uint256 r1) = s.pool.getReserves();
        if (l == 0) return;
        assertLe(SqrtPriceMath.getAmount0Delta(p, high, l, false), r0, "curve amount0 > reserve0");
        assertLe(SqrtPriceMath.getAmount1Delta(low, p, l, false), r1, "curve amount1 > reserve1");
    }

    /// @notice Swaps only: a round-trip trader's net tokens since the curve last changed are worth <= 0 at the pool's
    /// price after every swap, and back at a range edge it has no more of either token than when it was there before.
    function _checkSwapsNeverPayTheTrader() internal view {
        assertEq(trader.valueViolations(), 0, trader.firstViolation());
        assertEq(trader.edgeViolations(), 0, trader.firstViolation());
    }

    /// @notice TreasuryVault: every successful rebalance satisfied every policy bound (fee, feeds fresh and positive,
    /// interval, skew, width, inventory unless recovery is on, skew direction, TWAP deviation unless the spot sat on a
    /// bound with the oracle beyond it; price = target centre, bound kept), recomputed in PolicyCheck.
    function _checkRebalanceWithinPolicy() internal view {
        assertEq(keeperSide.policyViolations(), 0, keeperSide.firstPolicyViolation());
    }

    /// @notice Roles: every guarded function called without its role reverted with the role's error and changed
    /// nothing it guards.
    function _checkOnlyRolesChangeGuardedState() internal view {
        assertEq(roles.roleViolations(), 0, roles.firstRoleViolation());
    }
}

/// @notice The handlers reach their success paths (else the invariants above would hold vacuously): a fixed
/// pseudo-random walk of 2,000 calls over the same handlers, then every action must have succeeded at least once.
contract SystemHandlerCoverage is Test {
    function test_handlersReachSuccessPaths() public {
        System memory s = Deploy.system();
        TraderHandler trader = new TraderHandler(s);
        VaultHandler v = new VaultHandler(s, trader);
        trader.setEpochSource(IEpoch(address(v)));
        RoleHandler roles = new RoleHandler(s);
        for (uint256 i; i < 2000; ++i) {
            uint256 r = uint256(keccak256(abi.encode(i)));
            uint256 a = uint256(keccak256(abi.encode(r, 1)));
            uint256 b = uint256(keccak256(abi.encode(r, 2)));
            uint256 c = uint256(keccak256(abi.encode(r, 3)));
            uint256 k = r % 100;
            if (k < 25) trader.swap(r % 2 == 0, a, uint8(b));
            else if (k < 28) trader.swapToEdge(r % 2 == 0);
            else if (k < 29) trader.donate(r % 2 == 0, a % 1e20);
            else if (k < 34) trader.arbitrage();
            else if (k < 40) trader.warp(a);
            else if (k < 55) v.rebalanceFromOracle(a, b, c, uint8(r >> 8));
            else if (k < 58) v.rebalanceRandom(uint160(a), uint160(b), uint24(c), uint16(r));
            else if (k < 61) v.deposit(a, b);
            else if (k < 64) v.withdraw(a % 300, b % 300);
            else if (k < 66) v.pause(uint8(r >> 8));
            else if (k < 70) v.unpause();
            else if (k < 71) v.emergencyWithdraw(r % 2 == 0);
            else if (k < 76) v.adjustHedge(int256(a % 400e18) - 200e18, int256(b % 100_000e6));
            else if (k < 77) v.closeHedge();
            else if (k < 90) v.updateOracle(uint8(a), b, c);
            else if (k < 91) v.warpLong(a);
            else if (k < 92) v.setInventoryRecovery(a % 2 == 0);
            else roles.callWithoutRole(a, b, c);
        }
        _log(trader, v, roles);
        assertTrue(trader.swapsOk() > 0 && trader.edgeHits() > 0, "no swap / edge");
        assertTrue(v.rebalancesOk() > 0, "no rebalance succeeded");
        assertTrue(v.depositsOk() > 0 && v.withdrawalsOk() > 0, "no deposit / withdrawal");
        assertTrue(v.pausesOk() > 0 && v.emergencyWithdrawalsOk() > 0, "no pause / emergency withdrawal");
        assertTrue(v.hedgesOk() > 0 && v.hedgeClosesOk() > 0, "no hedge / close");
        assertTrue(v.oracleUpdatesOk() > 0, "no oracle update");
        assertEq(v.policyViolations(), 0, v.firstPolicyViolation());
        assertEq(roles.roleViolations(), 0, roles.firstRoleViolation());
        assertEq(trader.valueViolations() + trader.edgeViolations(), 0, trader.firstViolation());
    }

    function _log(TraderHandler trader, VaultHandler v, RoleHandler roles) private view {
        console.log("swaps ok", trader.swapsOk());
        console.log("swaps reverted", trader.swapsReverted());
        console.log("edge hits", trader.edgeHits());
        console.log("rebalances ok", v.rebalancesOk());
        console.log("rebalances reverted", v.rebalancesReverted());
        console.log("deposits ok", v.depositsOk());
        console.log("withdrawals ok", v.withdrawalsOk());
        console.log("pauses ok", v.pausesOk());
        console.log("emergency withdrawals ok", v.emergencyWithdrawalsOk());
        console.log("hedges ok", v.hedgesOk());
        console.log("hedge closes ok", v.hedgeClosesOk());
        console.log("oracle updates ok", v.oracleUpdatesOk());
        console.log("wrong-role calls", roles.wrongRoleCalls());
        bytes4[12] memory errs = [
            ITreasuryVaultErrors.FeeOutOfBounds.selector,
            ITreasuryVaultErrors.StaleOracle.selector,
            ITreasuryVaultErrors.SkewTooLarge.selector,
            IManagedPoolErrors.PoolPaused.selector,
            ITreasuryVaultErrors.RebalanceTooSoon.selector,
            ITreasuryVaultErrors.TwapDeviation.selector,
            ITreasuryVaultErrors.WidthOutOfBounds.selector,
            ITreasuryVaultErrors.InventoryOutOfBounds.selector,
            ITreasuryVaultErrors.NonPositiveVolatility.selector,
            IManagedPoolErrors.PriceOutOfBounds.selector,
            ObservationLib.ObservationTooOld.selector,
            LiquidityFit.RangeUnbounded.selector
        ];
        string[12] memory names = ["fee", "stale", "skew", "paused", "too soon", "twap", "width", "inventory", "vol", "price bounds", "obs too old", "unbounded"];
        for (uint256 i; i < 12; ++i) console.log(names[i], v.rebalanceErrors(errs[i]));
    }
}
