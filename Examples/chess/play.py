#!/usr/bin/env python3
"""Play one full game against a UCI engine and check that every engine move is legal.

usage: Examples/chess/play.py [--opponent random|self] [--engine-color white|black] [--seed N]
                              [--max-plies N] [--verbose] -- ENGINE_COMMAND [ARGS...]

The engine is started with python-chess (`pip install chess`) as
chess.engine.SimpleEngine.popen_uci(ENGINE_COMMAND). Its opponent is either a random mover (legal moves
drawn with a fixed seed) or the engine itself. The script prints the PGN and the result, and exits 1
if the engine sends an illegal move, answers `bestmove 0000` while it has a legal move, or crashes.
"""
import argparse
import random
import sys

import chess
import chess.engine
import chess.pgn


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opponent", choices=["random", "self"], default="random",
                        help="random legal moves with a fixed seed, or the engine against itself")
    parser.add_argument("--engine-color", choices=["white", "black"], default="white",
                        help="the engine's side against the random opponent")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random opponent")
    parser.add_argument("--max-plies", type=int, default=300,
                        help="stop (result '*') after this many half-moves")
    parser.add_argument("--verbose", action="store_true", help="print the engine's info strings")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds to wait for each engine answer (default: no limit; an encrypted move takes minutes)")
    parser.add_argument("engine", nargs=argparse.REMAINDER, help="the engine command (after --)")
    args = parser.parse_args()
    command = args.engine[1:] if args.engine[:1] == ["--"] else args.engine
    if not command:
        parser.error("give the engine command, e.g. -- .build/release/chess-dev-uci")

    rng = random.Random(args.seed)
    engine_color = chess.WHITE if args.engine_color == "white" else chess.BLACK
    board = chess.Board()
    engine_moves = 0
    engine = chess.engine.SimpleEngine.popen_uci(command, timeout=args.timeout)
    try:
        name = engine.id.get("name", command[0])
        while not board.is_game_over(claim_draw=True) and board.ply() < args.max_plies:
            if args.opponent == "self" or board.turn == engine_color:
                # Copy so a misbehaving engine cannot change our board; python-chess itself rejects
                # an illegal bestmove with an EngineError, which we report the same way.
                try:
                    result = engine.play(board.copy(), chess.engine.Limit(time=1.0),
                                         info=chess.engine.INFO_ALL)
                except chess.engine.EngineError as error:
                    print(f"FAIL: engine error at ply {board.ply()} ({board.fen()}): {error}", file=sys.stderr)
                    return 1
                move = result.move
                if move is None:
                    print(f"FAIL: engine answered no move (bestmove 0000) in {board.fen()} "
                          f"with {board.legal_moves.count()} legal moves", file=sys.stderr)
                    return 1
                if move not in board.legal_moves:
                    print(f"FAIL: illegal engine move {move.uci()} in {board.fen()}", file=sys.stderr)
                    return 1
                if args.verbose and result.info.get("string"):
                    print(f"  info string {result.info['string']}")
                engine_moves += 1
            else:
                move = rng.choice(sorted(board.legal_moves, key=lambda m: m.uci()))
            board.push(move)
    finally:
        engine.quit()

    game = chess.pgn.Game.from_board(board)
    opponent = name if args.opponent == "self" else f"random (seed {args.seed})"
    game.headers["Event"] = "Torus FHE.Chess UCI check"
    game.headers["White"] = name if engine_color == chess.WHITE else opponent
    game.headers["Black"] = name if engine_color == chess.BLACK else opponent
    outcome = board.outcome(claim_draw=True)
    game.headers["Result"] = outcome.result() if outcome else "*"
    print(game)
    reason = outcome.termination.name.lower() if outcome else f"stopped after {board.ply()} plies"
    print(f"result: {game.headers['Result']} ({reason}); {engine_moves} engine moves, all legal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
