public enum TorusPassesModule {}
