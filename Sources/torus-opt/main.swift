import TorusOpt
