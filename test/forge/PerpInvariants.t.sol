// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {Test} from "./base/Test.sol";
import {console} from "./base/Console.sol";
import {System, Deploy} from "./base/Fixture.sol";
import {PerpHandler} from "./handlers/PerpHandler.sol";
import {PerpMarket} from "../../contracts/perp/PerpMarket.sol";

/// @notice PerpMarket's books (see PerpHandler for the traffic).
contract PerpInvariants is Test {
    System internal s;
    PerpHandler internal h;
    uint256 internal seed; // the market's own quote before any trader (it pays winners from it)

    function setUp() public {
        s = Deploy.system();
        h = new PerpHandler(s);
        seed = s.token1.balanceOf(address(s.market));
        bytes4[] memory sel = new bytes4[](9);
        sel[0] = PerpHandler.depositMargin.selector;
        sel[1] = PerpHandler.withdrawMargin.selector;
        sel[2] = PerpHandler.trade.selector;
        sel[3] = PerpHandler.liquidate.selector;
        sel[4] = PerpHandler.settleFunding.selector;
        sel[5] = PerpHandler.adjustHedge.selector;
        sel[6] = PerpHandler.closeHedge.selector;
        sel[7] = PerpHandler.moveMark.selector;
        sel[8] = PerpHandler.warp.selector;
        targetSelector(FuzzSelector(address(h), sel));
        targetContract(address(h));
    }

    /// @notice Both invariants below after every call, in one campaign (see SystemInvariants.invariant_system).
    function invariant_perp() public view {
        _checkBooksBalance();
        _checkFlatAccountsNotNegative();
    }

    /// @notice The books balance to the wei: sum of the stored margins + fees collected + what left (withdrawals,
    /// liquidation penalties) + funding paid - bad debt written off - realised PnL == what was deposited. Also the
    /// market's quote balance == its own seed + deposits - withdrawals - penalties (nothing else moves its tokens),
    /// bad debt == the BadDebt events' sum, and feesCollected and badDebt never decrease.
    function _checkBooksBalance() internal view {
        int256 margins;
        for (uint256 i; i < 4; ++i) {
            margins += s.market.accountOf(h.accounts(i)).margin;
        }
        int256 lhs = margins + int256(s.market.feesCollected()) + int256(h.withdrawn()) + int256(h.penalties())
            + h.fundingPaid() - int256(s.market.badDebt()) - h.realisedPnl();
        assertEq(lhs, int256(h.deposited()), "margins + fees + out + funding - bad debt - pnl != deposited");
        assertEq(
            s.token1.balanceOf(address(s.market)),
            seed + h.deposited() - h.withdrawn() - h.penalties(),
            "market quote balance != seed + deposits - withdrawals - penalties"
        );
        assertEq(s.market.badDebt(), h.badDebtEvents(), "badDebt != sum of BadDebt events");
        assertEq(h.monotonicViolations(), 0, "feesCollected or badDebt decreased");
    }

    /// @notice An account without a position never holds a negative margin (a negative remainder is bad debt).
    function _checkFlatAccountsNotNegative() internal view {
        for (uint256 i; i < 4; ++i) {
            PerpMarket.Account memory a = s.market.accountOf(h.accounts(i));
            if (a.size == 0) assertTrue(a.margin >= 0, "flat account with negative margin");
        }
    }
}

/// @notice The perp handler reaches trades, liquidations, funding and the vault's hedge (a fixed walk).
contract PerpHandlerCoverage is Test {
    function test_perpHandlerReachesSuccessPaths() public {
        System memory s = Deploy.system();
        PerpHandler h = new PerpHandler(s);
        for (uint256 i; i < 2000; ++i) {
            uint256 r = uint256(keccak256(abi.encode("perp", i)));
            uint256 a = uint256(keccak256(abi.encode(r, 1)));
            uint256 b = uint256(keccak256(abi.encode(r, 2)));
            uint256 k = r % 100;
            if (k < 20) h.depositMargin(a, b);
            else if (k < 28) h.withdrawMargin(a, b);
            else if (k < 55) h.trade(a, b, r >> 8);
            else if (k < 65) h.liquidate(a);
            else if (k < 70) h.settleFunding();
            else if (k < 78) h.adjustHedge(int256(a % 400e18) - 200e18, int256(b % 100_000e6));
            else if (k < 80) h.closeHedge();
            else if (k < 93) h.moveMark(a);
            else if (k < 90) h.moveMark(a);
            else h.warp(a % 3000);
        }
        console.log("trades ok", h.tradesOk());
        console.log("liquidations ok", h.liquidationsOk());
        console.log("funding settlements", h.fundingSettlements());
        console.log("hedges ok", h.hedgesOk());
        console.log("hedge closes ok", h.hedgeClosesOk());
        console.log("withdrawals ok", h.withdrawalsOk());
        console.log("bad debt", s.market.badDebt());
        assertTrue(h.tradesOk() > 0 && h.liquidationsOk() > 0 && h.fundingSettlements() > 0, "perp paths");
        assertTrue(h.hedgesOk() > 0 && h.hedgeClosesOk() > 0 && h.withdrawalsOk() > 0, "hedge / withdrawal paths");
    }
}
