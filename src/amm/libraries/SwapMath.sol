// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {FullMath} from "../../libraries/FullMath.sol";
import {SqrtPriceMath} from "./SqrtPriceMath.sol";

/// @title SwapMath
/// @notice One swap step inside a single liquidity range.
library SwapMath {
    /// @dev Fees are in hundredths of a bip: 1e6 is 100%.
    uint256 internal constant FEE_DENOMINATOR = 1e6;

    /// @notice Moves the price from `sqrtRatioCurrentX96` toward `sqrtRatioTargetX96` with `amountRemaining`
    /// (exact input if >= 0, exact output if < 0), charging `feePips` on the input.
    /// @return sqrtRatioNextX96 Where the price stops: the target, or before it when the amount runs out.
    /// @return amountIn Input used, excluding the fee, rounded up.
    /// @return amountOut Output produced, rounded down (capped at the requested output).
    /// @return feeAmount Fee charged: rounded up on the input, or the whole unused input when an exact input
    /// stops short of the target.
    function computeSwapStep(
        uint160 sqrtRatioCurrentX96,
        uint160 sqrtRatioTargetX96,
        uint128 liquidity,
        int256 amountRemaining,
        uint24 feePips
    ) internal pure returns (uint160 sqrtRatioNextX96, uint256 amountIn, uint256 amountOut, uint256 feeAmount) {
        unchecked {
            bool zeroForOne = sqrtRatioCurrentX96 >= sqrtRatioTargetX96;
            bool exactIn = amountRemaining >= 0;

            if (exactIn) {
                uint256 amountLessFee =
                    FullMath.mulDiv(uint256(amountRemaining), FEE_DENOMINATOR - feePips, FEE_DENOMINATOR);
                amountIn = zeroForOne
                    ? SqrtPriceMath.getAmount0Delta(sqrtRatioTargetX96, sqrtRatioCurrentX96, liquidity, true)
                    : SqrtPriceMath.getAmount1Delta(sqrtRatioCurrentX96, sqrtRatioTargetX96, liquidity, true);
                sqrtRatioNextX96 = amountLessFee >= amountIn
                    ? sqrtRatioTargetX96
                    : SqrtPriceMath.getNextSqrtPriceFromInput(sqrtRatioCurrentX96, liquidity, amountLessFee, zeroForOne);
            } else {
                amountOut = zeroForOne
                    ? SqrtPriceMath.getAmount1Delta(sqrtRatioTargetX96, sqrtRatioCurrentX96, liquidity, false)
                    : SqrtPriceMath.getAmount0Delta(sqrtRatioCurrentX96, sqrtRatioTargetX96, liquidity, false);
                sqrtRatioNextX96 = uint256(-amountRemaining) >= amountOut
                    ? sqrtRatioTargetX96
                    : SqrtPriceMath.getNextSqrtPriceFromOutput(
                        sqrtRatioCurrentX96, liquidity, uint256(-amountRemaining), zeroForOne
                    );
            }

            bool reachedTarget = sqrtRatioTargetX96 == sqrtRatioNextX96;
            // The side computed above for the full step is reused when the target was reached.
            if (zeroForOne) {
                if (!(reachedTarget && exactIn)) {
                    amountIn = SqrtPriceMath.getAmount0Delta(sqrtRatioNextX96, sqrtRatioCurrentX96, liquidity, true);
                }
                if (!(reachedTarget && !exactIn)) {
                    amountOut = SqrtPriceMath.getAmount1Delta(sqrtRatioNextX96, sqrtRatioCurrentX96, liquidity, false);
                }
            } else {
                if (!(reachedTarget && exactIn)) {
                    amountIn = SqrtPriceMath.getAmount1Delta(sqrtRatioCurrentX96, sqrtRatioNextX96, liquidity, true);
                }
                if (!(reachedTarget && !exactIn)) {
                    amountOut = SqrtPriceMath.getAmount0Delta(sqrtRatioCurrentX96, sqrtRatioNextX96, liquidity, false);
                }
            }

            // Exact output: never pay out more than asked (the rounded-up price may overshoot by a wei).
            if (!exactIn && amountOut > uint256(-amountRemaining)) amountOut = uint256(-amountRemaining);

            feeAmount = exactIn && !reachedTarget
                ? uint256(amountRemaining) - amountIn
                : FullMath.mulDivUp(amountIn, feePips, FEE_DENOMINATOR - feePips);
        }
    }
}
